package dev.landlockagent.seccomp;

import dev.landlockagent.linux.Arch;
import dev.landlockagent.plan.SocketKind;
import dev.landlockagent.plan.SocketPlan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a {@link SocketPlan} into a seccomp-BPF program for one architecture.
 *
 * <ul>
 *   <li>socket(2) and socketpair(2) are checked on (domain, type & 0xf, protocol); a denied call
 *       returns EACCES, as Landlock's socket rules will. socketpair(2) also gets the JVM's own
 *       needs ({@link SocketPlan#socketpairOnly()}).</li>
 *   <li>io_uring_setup(2) returns EPERM while socket creation is restricted, because
 *       IORING_OP_SOCKET creates sockets without a syscall seccomp can see.</li>
 *   <li>x32 syscalls (bit 30 set) are checked like native ones; the other ABI a process can
 *       enter (i386 from x86_64, 32-bit ARM from aarch64) gets the same checks with its own
 *       numbers, and its socketcall(2) SYS_SOCKET/SYS_SOCKETPAIR is denied outright because the
 *       arguments sit in memory a filter cannot read. Any other architecture is killed.</li>
 *   <li>An optional canary: pread64 at one secret offset fails. The re-executed JVM probes it to
 *       prove that the first JVM confined it (see confine.ReExec).</li>
 * </ul>
 */
public final class SeccompFilter {
    public static final int EACCES = 13;
    public static final int EPERM = 1;
    /** The errno the canary returns (ENOTRECOVERABLE); any failure of the probe counts. */
    public static final int CANARY_ERRNO = 131;

    private SeccompFilter() {
    }

    /** The secret offset of the canary; 0 for none. */
    public record Canary(long offset) {
        public static final Canary NONE = new Canary(0);
    }

    public static List<SockFilter> compile(SocketPlan plan, Arch arch, Canary canary) {
        BpfAssembler a = new BpfAssembler();
        boolean restrict = plan.restrictsCreation();

        a.load(Bpf.DATA_ARCH).ifNotEqual(arch.auditArch, "compat");
        a.load(Bpf.DATA_NR);
        if (arch.x32SyscallBit != 0) {
            a.and(~arch.x32SyscallBit);
        }
        if (restrict) {
            a.ifEqual(arch.socket, "socket").ifEqual(arch.socketpair, "socketpair");
            if (plan.denyIoUring()) {
                a.ifEqual(arch.ioUringSetup, "eperm");
            }
        }
        if (canary.offset() != 0) {
            a.ifEqual(arch.pread64, "canary");
        }
        a.ret(Bpf.SECCOMP_RET_ALLOW);

        if (canary.offset() != 0) {
            a.label("canary")
                    .load(Bpf.argLow(3)).ifNotEqual((int) canary.offset(), "allow")
                    .load(Bpf.argHigh(3)).ifNotEqual((int) (canary.offset() >>> 32), "allow")
                    .ret(Bpf.SECCOMP_RET_ERRNO | CANARY_ERRNO);
        }

        a.label("compat").ifNotEqual(arch.compat.auditArch(), "kill");
        a.load(Bpf.DATA_NR);
        if (restrict) {
            a.ifEqual(arch.compat.socket(), "socket").ifEqual(arch.compat.socketpair(), "socketpair");
            if (plan.denyIoUring()) {
                a.ifEqual(arch.compat.ioUringSetup(), "eperm");
            }
            if (arch.compat.socketcall() >= 0) {
                a.ifNotEqual(arch.compat.socketcall(), "allow")
                        .load(Bpf.argLow(0))
                        .ifEqual(Arch.CompatAbi.SYS_SOCKET, "eacces")
                        .ifEqual(Arch.CompatAbi.SYS_SOCKETPAIR, "eacces");
            }
        }
        a.ret(Bpf.SECCOMP_RET_ALLOW);

        if (restrict) {
            a.label("socketpair");
            if (!plan.socketpairOnly().isEmpty()) {
                decisionTree(a, "p", plan.socketpairOnly(), "allow", "socket");
            }
            a.label("socket");
            if (plan.mode() == SocketPlan.Mode.ALLOW_LIST) {
                decisionTree(a, "s", plan.allowed(), "allow", "eacces");
            } else {
                decisionTree(a, "s", plan.denied(), "eacces", "allow");
            }
        }

        a.label("allow").ret(Bpf.SECCOMP_RET_ALLOW);
        a.label("eacces").ret(Bpf.SECCOMP_RET_ERRNO | EACCES);
        a.label("eperm").ret(Bpf.SECCOMP_RET_ERRNO | EPERM);
        a.label("kill").ret(Bpf.SECCOMP_RET_KILL_PROCESS);
        return a.assemble();
    }

    /**
     * Branches on domain, then type, then protocol; jumps to {@code match} when a kind matches,
     * else to {@code noMatch}. Arguments are compared on their low 32 bits, which is all the
     * kernel reads of socket(2)'s int arguments.
     */
    private static void decisionTree(BpfAssembler a, String labelPrefix, List<SocketKind> kinds, String match,
                                     String noMatch) {
        Map<Integer, Map<Integer, List<SocketKind>>> byDomain = new LinkedHashMap<>();
        for (SocketKind k : kinds) {
            Map<Integer, List<SocketKind>> byType = byDomain.get(k.domain());
            if (byType == null) {
                byType = new LinkedHashMap<>();
                byDomain.put(k.domain(), byType);
            }
            List<SocketKind> same = byType.get(k.type());
            if (same == null) {
                same = new ArrayList<>();
                byType.put(k.type(), same);
            }
            same.add(k);
        }
        a.load(Bpf.argLow(0));
        for (int domain : byDomain.keySet()) {
            a.ifEqual(domain, labelPrefix + "d" + domain);
        }
        a.jump(noMatch);
        for (Map.Entry<Integer, Map<Integer, List<SocketKind>>> d : byDomain.entrySet()) {
            a.label(labelPrefix + "d" + d.getKey()).load(Bpf.argLow(1)).and(SocketKind.SOCK_TYPE_MASK);
            for (int type : d.getValue().keySet()) {
                a.ifEqual(type, labelPrefix + "d" + d.getKey() + "t" + type);
            }
            a.jump(noMatch);
            for (Map.Entry<Integer, List<SocketKind>> t : d.getValue().entrySet()) {
                a.label(labelPrefix + "d" + d.getKey() + "t" + t.getKey());
                boolean any = false;
                for (SocketKind k : t.getValue()) {
                    any |= k.protocol() == null;
                }
                if (any) {
                    a.jump(match);
                    continue;
                }
                a.load(Bpf.argLow(2));
                List<Integer> seen = new ArrayList<>();
                for (SocketKind k : t.getValue()) {
                    for (int p : k.acceptedProtocols()) {
                        if (!seen.contains(p)) {
                            seen.add(p);
                            a.ifEqual(p, match);
                        }
                    }
                }
                a.jump(noMatch);
            }
        }
    }
}
