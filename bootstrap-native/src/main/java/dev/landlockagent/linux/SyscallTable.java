package dev.landlockagent.linux;

import java.util.HashMap;
import java.util.Map;

/**
 * Syscall numbers by name for one syscall ABI: the calls the agent's seccomp filter names, and
 * the few more it makes itself, beyond those {@link Arch} holds as fields. Sources:
 * {@code arch/x86/entry/syscalls/syscall_64.tbl} (x86_64, and x32's own numbers 512-547), {@code syscall_32.tbl} (i386),
 * {@code include/uapi/asm-generic/unistd.h} (aarch64) and {@code arch/arm/tools/syscall.tbl}
 * (32-bit ARM EABI), as of Linux 6.18. Numbers from 424 on are the same on every architecture.
 * A name missing from an ABI's table does not exist there (aarch64 has no {@code chmod}, only
 * {@code fchmodat}).
 */
public final class SyscallTable {
    /** Calls added from Linux 5.1 on: one number on every architecture. */
    private static final Object[] SHARED = {
            "io_uring_setup", 425, "open_tree", 428, "move_mount", 429, "fsopen", 430, "fsconfig", 431,
            "fsmount", 432, "fspick", 433, "clone3", 435, "openat2", 437, "pidfd_getfd", 438, "mount_setattr", 442,
            "quotactl_fd", 443, "fchmodat2", 452, "setxattrat", 463, "removexattrat", 466, "open_tree_attr", 467,
            "file_setattr", 469};

    public static final SyscallTable X86_64 = new SyscallTable("x86_64", SHARED,
            "init_module", 175, "finit_module", 313, "delete_module", 176, "reboot", 169, "kexec_load", 246,
            "kexec_file_load", 320, "swapon", 167, "swapoff", 168, "iopl", 172, "ioperm", 173, "settimeofday", 164,
            "clock_settime", 227, "clock_adjtime", 305, "adjtimex", 159, "bpf", 321, "open_by_handle_at", 304,
            "quotactl", 179, "acct", 163, "syslog", 103, "sethostname", 170, "setdomainname", 171, "add_key", 248,
            "request_key", 249, "keyctl", 250, "personality", 135, "mount", 165, "umount2", 166, "pivot_root", 155,
            "chroot", 161, "modify_ldt", 154, "ptrace", 101, "perf_event_open", 298, "process_vm_readv", 310,
            "process_vm_writev", 311, "lookup_dcookie", 212, "kcmp", 312, "_sysctl", 156, "uselib", 134,
            "ustat", 136, "sysfs", 139, "nfsservctl", 180, "afs_syscall", 183, "create_module", 174,
            "get_kernel_syms", 177, "query_module", 178, "getpmsg", 181, "putpmsg", 182, "security", 185,
            "tuxcall", 184, "vserver", 236, "vhangup", 153, "unshare", 272, "setns", 308, "clone", 56, "chmod", 90,
            "fchmod", 91, "fchmodat", 268, "creat", 85, "open", 2, "openat", 257, "mknod", 133, "mknodat", 259,
            "dup3", 292, "userfaultfd", 323, "bind", 49, "listen", 50, "chdir", 80, "pipe2", 293, "write", 1,
            // What a learn run records (learn.NotifiedSyscalls).
            "mkdir", 83, "mkdirat", 258, "rmdir", 84, "unlink", 87, "unlinkat", 263, "rename", 82, "renameat", 264,
            "renameat2", 316, "link", 86, "linkat", 265, "symlink", 88, "symlinkat", 266, "truncate", 76,
            "ftruncate", 77, "execve", 59, "execveat", 322, "socket", 41, "socketpair", 53, "connect", 42,
            "sendto", 44, "sendmsg", 46, "sendmmsg", 307, "kill", 62, "pidfd_open", 434, "ioctl", 16, "ppoll", 271,
            "getsockopt", 55, "prctl", 157,
            // x32's own numbers for calls whose 64-bit entry does not fit it (the filter masks the x32 bit off).
            "ptrace", 521, "kexec_load", 528, "process_vm_readv", 539, "process_vm_writev", 540);

    public static final SyscallTable I386 = new SyscallTable("i386", SHARED,
            "init_module", 128, "finit_module", 350, "delete_module", 129, "reboot", 88, "kexec_load", 283,
            "swapon", 87, "swapoff", 115, "iopl", 110, "ioperm", 101, "settimeofday", 79, "stime", 25,
            "clock_settime", 264, "clock_settime64", 404, "clock_adjtime", 343, "clock_adjtime64", 405,
            "adjtimex", 124, "bpf", 357, "open_by_handle_at", 342, "quotactl", 131, "acct", 51, "syslog", 103,
            "sethostname", 74, "setdomainname", 121, "add_key", 286, "request_key", 287, "keyctl", 288,
            "personality", 136, "mount", 21, "umount", 22, "umount2", 52, "pivot_root", 217, "chroot", 61,
            "modify_ldt", 123, "vm86", 166, "vm86old", 113, "ptrace", 26, "perf_event_open", 336,
            "process_vm_readv", 347, "process_vm_writev", 348, "lookup_dcookie", 253, "userfaultfd", 374,
            "kcmp", 349, "_sysctl", 149,
            "uselib", 86, "ustat", 62, "sysfs", 135, "nfsservctl", 169, "afs_syscall", 137, "create_module", 127,
            "get_kernel_syms", 130, "query_module", 167, "getpmsg", 188, "putpmsg", 189, "vserver", 273,
            "bdflush", 134, "idle", 112, "vhangup", 111, "unshare", 310, "setns", 346, "clone", 120, "chmod", 15,
            "fchmod", 94, "fchmodat", 306, "creat", 8, "open", 5, "openat", 295, "mknod", 14, "mknodat", 297,
            "bind", 361, "listen", 363);

    public static final SyscallTable AARCH64 = new SyscallTable("aarch64", SHARED,
            "init_module", 105, "finit_module", 273, "delete_module", 106, "reboot", 142, "kexec_load", 104,
            "kexec_file_load", 294, "swapon", 224, "swapoff", 225, "settimeofday", 170, "clock_settime", 112,
            "clock_adjtime", 266, "adjtimex", 171, "bpf", 280, "open_by_handle_at", 265, "quotactl", 60,
            "acct", 89, "syslog", 116, "sethostname", 161, "setdomainname", 162, "add_key", 217,
            "request_key", 218, "keyctl", 219, "personality", 92, "mount", 40, "umount2", 39, "pivot_root", 41, "chdir", 49,
            "chroot", 51, "ptrace", 117, "perf_event_open", 241, "process_vm_readv", 270, "process_vm_writev", 271,
            "lookup_dcookie", 18, "userfaultfd", 282,
            "kcmp", 272, "nfsservctl", 42, "vhangup", 58, "unshare", 97, "setns", 268,
            "clone", 220, "fchmod", 52, "fchmodat", 53, "openat", 56, "mknodat", 33, "dup3", 24, "bind", 200,
            "listen", 201, "pipe2", 59, "write", 64,
            // What a learn run records (learn.NotifiedSyscalls).
            "mkdirat", 34, "unlinkat", 35, "symlinkat", 36, "linkat", 37, "renameat", 38, "renameat2", 276,
            "truncate", 45, "ftruncate", 46, "execve", 221, "execveat", 281, "socket", 198, "socketpair", 199,
            "connect", 203, "sendto", 206, "sendmsg", 211, "sendmmsg", 269, "kill", 129, "pidfd_open", 434,
            "ioctl", 29, "ppoll", 73, "getsockopt", 209, "prctl", 167);

    /** 32-bit ARM EABI: the "common" and "eabi" entries (OABI-only calls cannot be made from EABI). */
    public static final SyscallTable ARM = new SyscallTable("arm", SHARED,
            "init_module", 128, "finit_module", 379, "delete_module", 129, "reboot", 88, "kexec_load", 347,
            "kexec_file_load", 401, "swapon", 87, "swapoff", 115, "pciconfig_iobase", 271, "pciconfig_read", 272,
            "pciconfig_write", 273, "settimeofday", 79, "clock_settime", 262, "clock_settime64", 404,
            "clock_adjtime", 372, "clock_adjtime64", 405, "adjtimex", 124, "bpf", 386, "open_by_handle_at", 371,
            "quotactl", 131, "acct", 51, "syslog", 103, "sethostname", 74, "setdomainname", 121, "add_key", 309,
            "request_key", 310, "keyctl", 311, "personality", 136, "mount", 21, "umount2", 52, "pivot_root", 218,
            "chroot", 61, "ptrace", 26, "perf_event_open", 364, "process_vm_readv", 376, "process_vm_writev", 377,
            "lookup_dcookie", 249, "userfaultfd", 388,
            "kcmp", 378, "_sysctl", 149, "uselib", 86, "ustat", 62, "sysfs", 135,
            "nfsservctl", 169, "vserver", 313, "bdflush", 134, "vhangup", 111, "unshare", 337, "setns", 375,
            "clone", 120, "chmod", 15, "fchmod", 94, "fchmodat", 333, "creat", 8, "open", 5, "openat", 322,
            "mknod", 14, "mknodat", 324, "bind", 282, "listen", 284);

    private final String abi;
    /** Name, number, name, number: what this ABI adds to the shared table. */
    private final Object[] shared;
    private final Object[] own;
    /** Built at the first look-up: a JVM uses two of the four tables (its own ABI and the compat one). */
    private Map<String, int[]> numbers;

    private SyscallTable(String abi, Object[] shared, Object... own) {
        this.abi = abi;
        this.shared = shared;
        this.own = own;
    }

    private synchronized Map<String, int[]> parsed() {
        if (numbers == null) {
            Map<String, int[]> m = new HashMap<>();
            add(m, shared);
            add(m, own);
            numbers = m;
        }
        return numbers;
    }

    private static void add(Map<String, int[]> m, Object[] pairs) {
        for (int i = 0; i < pairs.length; i += 2) {
            String name = (String) pairs[i];
            int nr = (Integer) pairs[i + 1];
            int[] before = m.get(name);
            if (before == null) {
                m.put(name, new int[] {nr});
            } else {
                int[] more = java.util.Arrays.copyOf(before, before.length + 1);
                more[before.length] = nr;
                m.put(name, more);
            }
        }
    }

    /** The ABI's name: x86_64, i386, aarch64, arm. */
    public String abi() {
        return abi;
    }

    /** The number of {@code name} on this ABI (its first, for x86_64's x32 entries). */
    public int number(String name) {
        int[] n = parsed().get(name);
        if (n == null) {
            throw new IllegalArgumentException(name + " has no number on " + abi);
        }
        return n[0];
    }

    /** Every number {@code name} has on this ABI (x86_64's x32 entries add a second); empty if it has none. */
    public int[] numbers(String name) {
        int[] n = parsed().get(name);
        return n == null ? new int[0] : n.clone();
    }
}
