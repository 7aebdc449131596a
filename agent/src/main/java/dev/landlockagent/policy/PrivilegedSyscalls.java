package dev.landlockagent.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The privileged syscalls a confined JVM may not make, whatever its capabilities, unless the
 * policy allows them ({@code "syscalls": {"allow": [...]}}). A versioned list: docs/policy.md shows
 * it, and a new version only ever adds. Modelled on what systemd's {@code @system-service} set
 * leaves out ({@code @module @raw-io @reboot @swap @clock @cpu-emulation @obsolete @debug @mount}),
 * {@code RestrictSUIDSGID=}, {@code RestrictNamespaces=}, {@code LockPersonality=},
 * {@code ProtectKernelLogs=} and {@code ProtectHostname=}.
 *
 * <p>Most groups deny whole syscalls with EPERM. Three deny only some uses, judged on the
 * syscall's register arguments: {@link Kind#SETID_MODES}, {@link Kind#NAMESPACES} and
 * {@link Kind#PERSONALITY}; they can be allowed only as a whole group.
 */
public final class PrivilegedSyscalls {
    /** The version of the list; docs/policy.md names what each version added. */
    public static final int LIST_VERSION = 1;

    /** How a group is enforced. */
    public enum Kind {
        /** Every listed syscall fails with EPERM. */
        DENIED,
        /**
         * The setuid and setgid bits (S_ISUID 04000, S_ISGID 02000) in the mode of chmod, fchmod,
         * fchmodat, fchmodat2, creat, mknod, mknodat, and open/openat with O_CREAT or O_TMPFILE:
         * EPERM. openat2 passes its mode in memory, where a filter cannot look: ENOSYS, so that
         * C libraries fall back to openat.
         */
        SETID_MODES,
        /**
         * unshare and clone with a CLONE_NEW* flag, and setns: EPERM. clone3 passes its flags in
         * memory: ENOSYS, so that glibc falls back to clone (as it does under Docker's profile).
         */
        NAMESPACES,
        /** personality with READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE, ADDR_COMPAT_LAYOUT or MMAP_PAGE_ZERO: EPERM. */
        PERSONALITY
    }

    /** One group: its name ({@code @module}), why it is denied, and its syscalls. */
    public record Group(String name, Kind kind, String why, List<String> syscalls) {
    }

    public static final List<Group> GROUPS = List.of(
            new Group("@module", Kind.DENIED, "load or unload kernel code",
                    List.of("init_module", "finit_module", "delete_module")),
            new Group("@reboot", Kind.DENIED, "reboot or replace the running kernel",
                    List.of("reboot", "kexec_load", "kexec_file_load")),
            new Group("@swap", Kind.DENIED, "turn swap devices on or off", List.of("swapon", "swapoff")),
            new Group("@raw-io", Kind.DENIED, "reach I/O ports and PCI configuration directly",
                    List.of("iopl", "ioperm", "pciconfig_iobase", "pciconfig_read", "pciconfig_write")),
            new Group("@clock", Kind.DENIED, "set or adjust the system clock",
                    List.of("settimeofday", "stime", "clock_settime", "clock_settime64", "clock_adjtime",
                            "clock_adjtime64", "adjtimex")),
            new Group("@mount", Kind.DENIED, "mount, unmount or change the root (Landlock refuses most of these too)",
                    List.of("mount", "umount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount",
                            "fspick", "move_mount", "open_tree", "open_tree_attr", "mount_setattr")),
            new Group("@debug", Kind.DENIED,
                    "trace or read other processes, kernel performance events, and page faults handled in user space",
                    List.of("ptrace", "perf_event_open", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
                            "kcmp", "lookup_dcookie", "userfaultfd")),
            new Group("@cpu-emulation", Kind.DENIED, "change the CPU's segment tables or enter vm86 mode",
                    List.of("modify_ldt", "vm86", "vm86old")),
            new Group("@system", Kind.DENIED,
                    "kernel-wide administration: BPF programs, opening files by handle, quotas, process accounting,"
                            + " the kernel log, the host and domain name, hanging up the terminal",
                    List.of("bpf", "open_by_handle_at", "quotactl", "quotactl_fd", "acct", "syslog", "sethostname",
                            "setdomainname", "vhangup")),
            new Group("@keyring", Kind.DENIED, "the kernel's key management", List.of("add_key", "request_key", "keyctl")),
            new Group("@io_uring", Kind.DENIED,
                    "io_uring, whose operations (open, socket, setxattr) the kernel runs without a syscall a filter sees",
                    List.of("io_uring_setup")),
            new Group("@obsolete", Kind.DENIED, "old calls no current program needs",
                    List.of("_sysctl", "uselib", "ustat", "sysfs", "nfsservctl", "afs_syscall", "create_module",
                            "get_kernel_syms", "query_module", "getpmsg", "putpmsg", "security", "tuxcall", "vserver",
                            "bdflush", "idle")),
            new Group("@setid-modes", Kind.SETID_MODES, "set the setuid or setgid bit of a file",
                    List.of("chmod", "fchmod", "fchmodat", "fchmodat2", "creat", "open", "openat", "openat2", "mknod",
                            "mknodat")),
            new Group("@namespaces", Kind.NAMESPACES,
                    "create or join namespaces (a new user namespace holds every capability inside it)",
                    List.of("unshare", "clone", "clone3", "setns")),
            new Group("@personality", Kind.PERSONALITY,
                    "personality flags that weaken the JVM: executable data, no address randomisation, page zero",
                    List.of("personality")));

    private PrivilegedSyscalls() {
    }

    /** The argument-checked group that names {@code name}, or null. */
    public static Group argumentGroupOf(String name) {
        for (Group g : GROUPS) {
            if (g.kind() != Kind.DENIED && g.syscalls().contains(name)) {
                return g;
            }
        }
        return null;
    }

    /** Every name a policy may allow: the groups, and each syscall of a {@link Kind#DENIED} group. */
    public static List<String> allowableNames() {
        List<String> names = new ArrayList<>();
        for (Group g : GROUPS) {
            names.add(g.name());
        }
        for (Group g : GROUPS) {
            if (g.kind() == Kind.DENIED) {
                names.addAll(g.syscalls());
            }
        }
        return names;
    }

    /** The whole syscalls still denied when the policy allows {@code allowed} (names and groups). */
    public static Set<String> deniedSyscalls(Set<String> allowed) {
        Set<String> out = new LinkedHashSet<>();
        for (Group g : GROUPS) {
            if (g.kind() == Kind.DENIED && !allowed.contains(g.name())) {
                for (String s : g.syscalls()) {
                    if (!allowed.contains(s)) {
                        out.add(s);
                    }
                }
            }
        }
        return out;
    }

    /** Whether an argument-checked group is still in force. */
    public static boolean enforces(Kind kind, Set<String> allowed) {
        for (Group g : GROUPS) {
            if (g.kind() == kind) {
                return !allowed.contains(g.name());
            }
        }
        return false;
    }
}
