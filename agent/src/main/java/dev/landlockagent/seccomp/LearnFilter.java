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
 * without the agent. Of a 32-bit (i386, 32-bit ARM) or x32 program, only the sockets it creates
 * are stopped; its files and ports are not recorded (docs/learn.md).
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
        a.load(Bpf.DATA_ARCH).ifEqual(arch.auditArch, "native").ifEqual(arch.compat.auditArch(), "compat");
        a.ret(Bpf.SECCOMP_RET_ALLOW);
        a.label("native").load(Bpf.DATA_NR);
        for (int nr : numbers(arch)) {
            a.ifEqual(nr, "notify");
        }
        a.ifEqual(arch.table.number("sendto"), "sendto");
        if (arch.x32SyscallBit != 0) {
            // x32: the kinds of socket it creates (its numbers are x86_64's with bit 30 set).
            a.ifEqual(arch.x32SyscallBit | arch.socket, "notify").ifEqual(arch.x32SyscallBit | arch.socketpair, "notify");
        }
        a.ret(Bpf.SECCOMP_RET_ALLOW);
        // sendto(2) names an address only in its fifth argument; without one it is a plain send.
        a.label("sendto").load(Bpf.argLow(4)).ifNotEqual(0, "notify").load(Bpf.argHigh(4)).ifNotEqual(0, "notify");
        a.ret(Bpf.SECCOMP_RET_ALLOW);
        // A 32-bit program (i386, 32-bit ARM): the kinds of socket it creates, nothing else.
        a.label("compat").load(Bpf.DATA_NR).ifEqual(arch.compat.socket(), "notify").ifEqual(arch.compat.socketpair(), "notify");
        if (arch.compat.socketcall() >= 0) {
            a.ifEqual(arch.compat.socketcall(), "notify");
        }
        a.ret(Bpf.SECCOMP_RET_ALLOW);
        a.label("notify").ret(Bpf.SECCOMP_RET_USER_NOTIF);
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
