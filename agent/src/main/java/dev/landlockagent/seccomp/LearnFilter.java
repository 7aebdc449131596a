package dev.landlockagent.seccomp;

import dev.landlockagent.linux.Arch;
import dev.landlockagent.linux.Bpf;
import dev.landlockagent.linux.SockFilter;

import java.util.ArrayList;
import java.util.List;

/**
 * The seccomp filter of a learn run: every syscall that Landlock or the agent's own filter would
 * judge stops and waits for the supervisor (SECCOMP_RET_USER_NOTIF), which records it and lets it
 * continue; every other syscall runs untouched. It judges nothing: the process runs as it would
 * without the agent. Only the process's own syscall ABI is stopped; what a 32-bit (i386, x32,
 * 32-bit ARM) program does is not recorded (docs/learn.md).
 */
public final class LearnFilter {
    /** What the supervisor decodes (learn.SyscallDecoder), by name; names an ABI lacks are skipped. */
    public static final List<String> SYSCALLS = List.of(
            "open", "openat", "openat2", "creat", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat",
            "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "mknod", "mknodat",
            "truncate", "ftruncate", "execve", "execveat", "socket", "socketpair", "bind", "connect", "listen",
            "sendmsg", "sendmmsg", "kill");

    private LearnFilter() {
    }

    public static List<SockFilter> program(Arch arch) {
        BpfAssembler a = new BpfAssembler();
        a.load(Bpf.DATA_ARCH).ifNotEqual(arch.auditArch, "allow");
        a.load(Bpf.DATA_NR);
        // x32 numbers carry bit 30, so they equal none of these and run unrecorded.
        for (int nr : numbers(arch)) {
            a.ifEqual(nr, "notify");
        }
        a.ifEqual(arch.table.number("sendto"), "sendto");
        a.ret(Bpf.SECCOMP_RET_ALLOW);
        // sendto(2) names an address only in its fifth argument; without one it is a plain send.
        a.label("sendto").load(Bpf.argLow(4)).ifNotEqual(0, "notify").load(Bpf.argHigh(4)).ifNotEqual(0, "notify");
        a.ret(Bpf.SECCOMP_RET_ALLOW);
        a.label("notify").ret(Bpf.SECCOMP_RET_USER_NOTIF);
        a.label("allow").ret(Bpf.SECCOMP_RET_ALLOW);
        return a.assemble();
    }

    static List<Integer> numbers(Arch arch) {
        List<Integer> out = new ArrayList<>();
        for (String name : SYSCALLS) {
            for (int nr : arch.table.numbers(name)) {
                if (!out.contains(nr)) {
                    out.add(nr);
                }
            }
        }
        return out;
    }
}
