package dev.landlockagent.seccomp;

import dev.landlockagent.linux.SockFilter;
import dev.landlockagent.linux.Bpf;
import dev.landlockagent.linux.Arch;
import dev.landlockagent.plan.SocketKind;
import dev.landlockagent.plan.SocketPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled filter decides exactly as {@link SocketPlan#allows} does, for every domain, type
 * and protocol, on every entry point (native, x32, the compat ABI, socketcall).
 */
class SeccompFilterTest {
    static final int ALLOW = Bpf.SECCOMP_RET_ALLOW;
    static final int EACCES = Bpf.SECCOMP_RET_ERRNO | 13;
    static final int EPERM = Bpf.SECCOMP_RET_ERRNO | 1;
    static final int[] PROTOCOLS = {0, 1, 2, 6, 17, 41, 58, 132, 136, 255, 256, 262, 4242};
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;

    static final SocketPlan TCP_AND_UNIX = new SocketPlan(SocketPlan.Mode.ALLOW_LIST, List.of(
            new SocketKind(10, 1, 6, "tcp6"),
            new SocketKind(2, 1, 6, "tcp4"),
            new SocketKind(1, 1, null, "unix stream, any protocol"),
            new SocketKind(16, 3, 0, "netlink route")),
            List.of(), SocketPlan.JVM_SOCKETPAIRS, true);

    static final SocketPlan UNRESTRICTED_BUT_TCP_BYPASSES = new SocketPlan(SocketPlan.Mode.UNRESTRICTED, List.of(), List.of(
            new SocketKind(2, 1, 262, "mptcp"), new SocketKind(10, 1, 262, "mptcp"),
            new SocketKind(43, 1, null, "smc")), List.of(), true);

    private static int socket(List<SockFilter> prog, Arch arch, int nr, int domain, int type, int protocol) {
        return BpfInterpreter.run(prog, new BpfInterpreter.Data(nr, arch.auditArch, domain, type, protocol));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void socketAndSocketpairFollowThePlanForEveryTriple(Arch arch) {
        for (SocketPlan plan : List.of(TCP_AND_UNIX, UNRESTRICTED_BUT_TCP_BYPASSES)) {
            List<SockFilter> prog = SeccompFilter.compile(plan, arch, SeccompFilter.Canary.NONE);
            for (int domain = 0; domain < 48; domain++) {
                for (int type = 1; type <= 10; type++) {
                    for (int protocol : PROTOCOLS) {
                        int expected = plan.allows(domain, type, protocol) ? ALLOW : EACCES;
                        String what = arch + " socket(" + domain + ", " + type + ", " + protocol + ")";
                        assertEquals(expected, socket(prog, arch, arch.socket, domain, type, protocol), what);
                        assertEquals(expected, socket(prog, arch, arch.socket, domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol),
                                what + " with SOCK_NONBLOCK|SOCK_CLOEXEC");
                        int pairExpected = plan.allowsSocketpair(domain, type, protocol) ? ALLOW : EACCES;
                        assertEquals(pairExpected, socket(prog, arch, arch.socketpair, domain, type, protocol), "socketpair " + what);
                        int compat = BpfInterpreter.run(prog, new BpfInterpreter.Data(arch.compat.socket(),
                                arch.compat.auditArch(), domain, type, protocol));
                        assertEquals(expected, compat, arch.compat.name() + " " + what);
                    }
                }
            }
        }
    }

    @Test
    void protocolZeroIsTheFamilyDefault() {
        List<SockFilter> prog = SeccompFilter.compile(TCP_AND_UNIX, Arch.X86_64, SeccompFilter.Canary.NONE);
        assertEquals(ALLOW, socket(prog, Arch.X86_64, 41, 10, 1, 0), "socket(AF_INET6, SOCK_STREAM, 0) is TCP, as the JVM calls it");
        assertEquals(ALLOW, socket(prog, Arch.X86_64, 41, 10, 1, 6));
        assertEquals(EACCES, socket(prog, Arch.X86_64, 41, 10, 1, 262), "MPTCP is not TCP");
    }

    @Test
    void onlyTheLow32BitsOfEachArgumentCount() {
        List<SockFilter> prog = SeccompFilter.compile(TCP_AND_UNIX, Arch.X86_64, SeccompFilter.Canary.NONE);
        long high = 0xdead_beef_0000_0000L;
        assertEquals(ALLOW, BpfInterpreter.run(prog, new BpfInterpreter.Data(41, Arch.X86_64.auditArch, high | 10, high | 1, high | 6)));
        assertEquals(EACCES, BpfInterpreter.run(prog, new BpfInterpreter.Data(41, Arch.X86_64.auditArch, high | 2, high | 2, high)));
    }

    @Test
    void x32SyscallsAreCheckedLikeNativeOnes() {
        List<SockFilter> prog = SeccompFilter.compile(TCP_AND_UNIX, Arch.X86_64, SeccompFilter.Canary.NONE);
        int x32Socket = Arch.X86_64.socket | Arch.X86_64.x32SyscallBit;
        assertEquals(EACCES, socket(prog, Arch.X86_64, x32Socket, 2, 2, 0), "x32 UDP socket");
        assertEquals(ALLOW, socket(prog, Arch.X86_64, x32Socket, 10, 1, 0), "x32 TCP socket");
        assertEquals(EPERM, socket(prog, Arch.X86_64, Arch.X86_64.ioUringSetup | Arch.X86_64.x32SyscallBit, 0, 0, 0));
    }

    @Test
    void i386EntryIsCheckedAndItsSocketcallCannotCreateSockets() {
        List<SockFilter> prog = SeccompFilter.compile(TCP_AND_UNIX, Arch.X86_64, SeccompFilter.Canary.NONE);
        int i386 = Arch.X86_64.compat.auditArch();
        assertEquals(EACCES, BpfInterpreter.run(prog, new BpfInterpreter.Data(359, i386, 2, 2, 0)), "i386 socket(AF_INET, SOCK_DGRAM)");
        assertEquals(ALLOW, BpfInterpreter.run(prog, new BpfInterpreter.Data(359, i386, 10, 1, 0)));
        assertEquals(EACCES, BpfInterpreter.run(prog, new BpfInterpreter.Data(102, i386, 1, 0x1000)), "socketcall(SYS_SOCKET)");
        assertEquals(EACCES, BpfInterpreter.run(prog, new BpfInterpreter.Data(102, i386, 8, 0x1000)), "socketcall(SYS_SOCKETPAIR)");
        assertEquals(ALLOW, BpfInterpreter.run(prog, new BpfInterpreter.Data(102, i386, 3, 0x1000)), "socketcall(SYS_CONNECT)");
        assertEquals(EPERM, BpfInterpreter.run(prog, new BpfInterpreter.Data(425, i386)), "i386 io_uring_setup");
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void ioUringSetupIsDeniedUnlessAllowedAndAlwaysWhileSocketsAreRestricted(Arch arch) {
        Set<String> ioUringAllowed = Set.of("@io_uring");
        List<SockFilter> prog = SeccompFilter.compile(TCP_AND_UNIX, ioUringAllowed, arch, SeccompFilter.Canary.NONE);
        assertEquals(EPERM, socket(prog, arch, arch.ioUringSetup, 0, 0, 0), "allowed by the policy, but sockets are restricted");
        List<SockFilter> open = SeccompFilter.compile(SocketPlan.UNRESTRICTED, ioUringAllowed, arch, SeccompFilter.Canary.NONE);
        assertEquals(ALLOW, socket(open, arch, arch.ioUringSetup, 0, 0, 0), "sockets unrestricted and @io_uring allowed");
        assertEquals(ALLOW, socket(open, arch, arch.socket, 2, 2, 0));
        List<SockFilter> byDefault = SeccompFilter.compile(SocketPlan.UNRESTRICTED, arch, SeccompFilter.Canary.NONE);
        assertEquals(EPERM, socket(byDefault, arch, arch.ioUringSetup, 0, 0, 0), "io_uring is privileged by default");
    }

    @Test
    void anUnknownArchitectureIsKilled() {
        List<SockFilter> prog = SeccompFilter.compile(TCP_AND_UNIX, Arch.X86_64, SeccompFilter.Canary.NONE);
        assertEquals(Bpf.SECCOMP_RET_KILL_PROCESS, BpfInterpreter.run(prog, new BpfInterpreter.Data(41, 0x12345678, 2, 1, 0)));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void theCanaryAnswersOnlyItsOffset(Arch arch) {
        long canary = (1L << 62) | 0x1234_5678_9abcL;
        List<SockFilter> prog = SeccompFilter.compile(SocketPlan.UNRESTRICTED, arch, new SeccompFilter.Canary(canary));
        int answer = Bpf.SECCOMP_RET_ERRNO | SeccompFilter.CANARY_ERRNO;
        assertEquals(answer, BpfInterpreter.run(prog, new BpfInterpreter.Data(arch.pread64, arch.auditArch, 5, 0x1000, 1, canary)));
        assertEquals(ALLOW, BpfInterpreter.run(prog, new BpfInterpreter.Data(arch.pread64, arch.auditArch, 5, 0x1000, 1, canary + 1)));
        assertEquals(ALLOW, BpfInterpreter.run(prog, new BpfInterpreter.Data(arch.pread64, arch.auditArch, 5, 0x1000, 1, canary ^ (1L << 40))));
        assertEquals(ALLOW, BpfInterpreter.run(prog, new BpfInterpreter.Data(arch.pread64, arch.auditArch, 5, 0x1000, 1, 4096)));
    }

    @Test
    void aLargePlanStillCompilesWithinTheKernelsLimit() {
        List<SocketKind> kinds = new java.util.ArrayList<>();
        for (int d = 1; d < 46; d++) {
            for (int t = 1; t <= 5; t++) {
                kinds.add(new SocketKind(d, t, d % 3 == 0 ? null : d + t, "k"));
            }
        }
        SocketPlan big = new SocketPlan(SocketPlan.Mode.ALLOW_LIST, kinds, List.of(), List.of(), true);
        List<SockFilter> prog = SeccompFilter.compile(big, Arch.X86_64, SeccompFilter.Canary.NONE);
        assertTrue(prog.size() < SockFilter.BPF_MAXINSNS, "program of " + prog.size());
        for (SocketKind k : kinds) {
            assertEquals(ALLOW, socket(prog, Arch.X86_64, 41, k.domain(), k.type(), k.protocol() == null ? 99 : k.protocol()), k.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void bindAndListenAreRefusedOnEveryAbiWhereTheListenPlanSaysSo(Arch arch) {
        dev.landlockagent.plan.ListenPlan none = new dev.landlockagent.plan.ListenPlan(null, null, null);
        List<SockFilter> closed = SeccompFilter.compile(TCP_AND_UNIX, none, java.util.Set.of(), arch, SeccompFilter.Canary.NONE);
        List<SockFilter> open = SeccompFilter.compile(TCP_AND_UNIX, dev.landlockagent.plan.ListenPlan.UNRESTRICTED,
                java.util.Set.of(), arch, SeccompFilter.Canary.NONE);
        for (String call : List.of("bind", "listen")) {
            int nr = arch.table.number(call);
            assertEquals(EACCES, BpfInterpreter.run(closed, new BpfInterpreter.Data(nr, arch.auditArch, 3, 0, 16)), call);
            assertEquals(ALLOW, BpfInterpreter.run(open, new BpfInterpreter.Data(nr, arch.auditArch, 3, 0, 16)), call);
            int compat = arch.compat.table().number(call);
            assertEquals(EACCES, BpfInterpreter.run(closed, new BpfInterpreter.Data(compat, arch.compat.auditArch(), 3, 0, 16)),
                    arch.compat.name() + " " + call);
            if (arch.x32SyscallBit != 0) {
                assertEquals(EACCES, BpfInterpreter.run(closed, new BpfInterpreter.Data(nr | arch.x32SyscallBit, arch.auditArch,
                        3, 0, 16)), "x32 " + call);
            }
        }
        if (arch.compat.socketcall() >= 0) {
            for (int sub : new int[] {Arch.CompatAbi.SYS_BIND, Arch.CompatAbi.SYS_LISTEN}) {
                assertEquals(EACCES, BpfInterpreter.run(closed, new BpfInterpreter.Data(arch.compat.socketcall(),
                        arch.compat.auditArch(), sub, 0)), "socketcall " + sub);
                assertEquals(ALLOW, BpfInterpreter.run(open, new BpfInterpreter.Data(arch.compat.socketcall(),
                        arch.compat.auditArch(), sub, 0)), "socketcall " + sub);
            }
        }
        // connect, accept and the rest of a client's life are untouched
        int connect = arch == Arch.X86_64 ? 42 : 203;
        assertEquals(ALLOW, BpfInterpreter.run(closed, new BpfInterpreter.Data(connect, arch.auditArch, 3, 0, 16)));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void ioUringIsRefusedWhileBindOrListenIsEvenWithSocketsUnrestricted(Arch arch) {
        dev.landlockagent.plan.ListenPlan noListen = new dev.landlockagent.plan.ListenPlan(null, "tcp", null);
        List<SockFilter> prog = SeccompFilter.compile(SocketPlan.UNRESTRICTED, noListen, java.util.Set.of("@io_uring"), arch,
                SeccompFilter.Canary.NONE);
        assertEquals(EPERM, BpfInterpreter.run(prog, new BpfInterpreter.Data(arch.ioUringSetup, arch.auditArch, 8, 0)));
        assertEquals(ALLOW, BpfInterpreter.run(prog, new BpfInterpreter.Data(arch.table.number("bind"), arch.auditArch, 3, 0, 16)));
    }
}
