package dev.landlockagent.seccomp;

import dev.landlockagent.linux.SockFilter;
import dev.landlockagent.linux.Bpf;
import dev.landlockagent.linux.Arch;
import dev.landlockagent.linux.SyscallTable;
import dev.landlockagent.plan.ListenPlan;
import dev.landlockagent.plan.SocketKind;
import dev.landlockagent.plan.SocketPlan;
import dev.landlockagent.policy.PrivilegedSyscalls;
import dev.landlockagent.policy.PrivilegedSyscalls.Kind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compiles a {@link SocketPlan} into a seccomp-BPF program for one architecture.
 *
 * <ul>
 *   <li>socket(2) and socketpair(2) are checked on (domain, type & 0xf, protocol); a denied call
 *       returns EACCES, as Landlock's socket rules will. socketpair(2) also gets the JVM's own
 *       needs ({@link SocketPlan#socketpairOnly()}).</li>
 *   <li>bind(2) and listen(2) return EACCES where the {@link ListenPlan} denies them.</li>
 *   <li>io_uring_setup(2) returns EPERM while socket creation, bind or listen is restricted,
 *       because IORING_OP_SOCKET, _BIND and _LISTEN do the same without a syscall seccomp can see.</li>
 *   <li>x32 syscalls (bit 30 set) are checked like native ones; the other ABI a process can
 *       enter (i386 from x86_64, 32-bit ARM from aarch64) gets the same checks with its own
 *       numbers, and its socketcall(2) SYS_SOCKET/SYS_SOCKETPAIR is denied outright because the
 *       arguments sit in memory a filter cannot read. Any other architecture is killed.</li>
 *   <li>The privileged syscalls ({@link PrivilegedSyscalls}) the policy does not allow return
 *       EPERM, on every entry point, with their own numbers on each ABI; the argument-checked
 *       groups (setuid/setgid modes, namespaces, personality) look at the registers that hold the
 *       mode or flags, and clone3 and openat2, which pass them in memory, return ENOSYS so that
 *       the C library falls back to clone and openat.</li>
 *   <li>An optional canary: pread64 at one secret offset fails. The re-executed JVM probes it to
 *       prove that the first JVM confined it (see confine.Verification).</li>
 * </ul>
 */
public final class SeccompFilter {
    public static final int EACCES = 13;
    public static final int EPERM = 1;
    public static final int ENOSYS = 38;
    /** S_ISUID | S_ISGID. */
    static final int SETID_BITS = 06000;
    /** O_CREAT | __O_TMPFILE: open and openat use the mode only with these (the same on x86, arm and asm-generic). */
    static final int OPEN_CREATES = 0100 | 020000000;
    /** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET ({@code include/uapi/linux/sched.h}). */
    static final int CLONE_NEW_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000
            | 0x40000000;
    /** CLONE_NEWTIME shares its bit with clone's exit signal, so only unshare is checked for it. */
    static final int CLONE_NEWTIME = 0x80;
    /** READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE | ADDR_COMPAT_LAYOUT | MMAP_PAGE_ZERO: the kernel's PER_CLEAR_ON_SETID. */
    static final int PERSONALITY_WEAKENING = 0x0400000 | 0x0040000 | 0x0200000 | 0x0100000;
    static final int PERSONALITY_QUERY = 0xffff_ffff;
    /** The errno the canary returns (ENOTRECOVERABLE); any failure of the probe counts. */
    public static final int CANARY_ERRNO = 131;

    private SeccompFilter() {
    }

    /** The secret offset of the canary; 0 for none. */
    public record Canary(long offset) {
        public static final Canary NONE = new Canary(0);
    }

    /** As {@link #compile(SocketPlan, ListenPlan, Set, Arch, Canary)} with no privileged syscall allowed and bind and listen left alone. */
    public static List<SockFilter> compile(SocketPlan plan, Arch arch, Canary canary) {
        return compile(plan, ListenPlan.UNRESTRICTED, Set.of(), arch, canary);
    }

    /** As {@link #compile(SocketPlan, ListenPlan, Set, Arch, Canary)} with bind and listen left alone. */
    public static List<SockFilter> compile(SocketPlan plan, Set<String> allowedSyscalls, Arch arch, Canary canary) {
        return compile(plan, ListenPlan.UNRESTRICTED, allowedSyscalls, arch, canary);
    }

    /**
     * @param listening whether bind(2) and listen(2) stay (denied ones return EACCES)
     * @param allowedSyscalls the {@link PrivilegedSyscalls} names and groups the policy allows
     */
    public static List<SockFilter> compile(SocketPlan plan, ListenPlan listening, Set<String> allowedSyscalls, Arch arch,
                                           Canary canary) {
        BpfAssembler a = new BpfAssembler();
        boolean restrict = plan.restrictsCreation();
        // io_uring has IORING_OP_SOCKET, IORING_OP_BIND and IORING_OP_LISTEN (6.11), none of them a syscall.
        boolean ioUring = (restrict && plan.denyIoUring()) || listening.restricts();

        a.load(Bpf.DATA_ARCH).ifNotEqual(arch.auditArch, "compat");
        a.load(Bpf.DATA_NR);
        if (arch.x32SyscallBit != 0) {
            a.and(~arch.x32SyscallBit);
        }
        if (restrict) {
            a.ifEqual(arch.socket, "socket").ifEqual(arch.socketpair, "socketpair");
        }
        if (ioUring) {
            a.ifEqual(arch.ioUringSetup, "eperm");
        }
        listening(a, arch.table, listening);
        privileged(a, "n-", arch.table, allowedSyscalls);
        if (canary.offset() != 0) {
            a.ifEqual(arch.pread64, "canary");
        }
        a.ret(Bpf.SECCOMP_RET_ALLOW);
        argumentChecks(a, "n-", arch.table, allowedSyscalls);

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
        }
        if (ioUring) {
            a.ifEqual(arch.compat.ioUringSetup(), "eperm");
        }
        listening(a, arch.compat.table(), listening);
        privileged(a, "c-", arch.compat.table(), allowedSyscalls);
        if ((restrict || listening.restricts()) && arch.compat.socketcall() >= 0) {
            a.ifNotEqual(arch.compat.socketcall(), "allow").load(Bpf.argLow(0));
            if (restrict) {
                a.ifEqual(Arch.CompatAbi.SYS_SOCKET, "eacces").ifEqual(Arch.CompatAbi.SYS_SOCKETPAIR, "eacces");
            }
            if (!listening.bind()) {
                a.ifEqual(Arch.CompatAbi.SYS_BIND, "eacces");
            }
            if (!listening.listen()) {
                a.ifEqual(Arch.CompatAbi.SYS_LISTEN, "eacces");
            }
        }
        a.ret(Bpf.SECCOMP_RET_ALLOW);
        argumentChecks(a, "c-", arch.compat.table(), allowedSyscalls);

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
        a.label("enosys").ret(Bpf.SECCOMP_RET_ERRNO | ENOSYS);
        a.label("kill").ret(Bpf.SECCOMP_RET_KILL_PROCESS);
        return a.assemble();
    }

    /** With the syscall number in A: bind(2) and listen(2) to EACCES where the plan denies them. */
    private static void listening(BpfAssembler a, SyscallTable table, ListenPlan listening) {
        if (!listening.bind()) {
            a.ifEqual(table.number("bind"), "eacces");
        }
        if (!listening.listen()) {
            a.ifEqual(table.number("listen"), "eacces");
        }
    }

    /**
     * With the syscall number in A: whole privileged syscalls to EPERM, clone3 and openat2 to
     * ENOSYS, and the syscalls whose registers decide to their checks ({@link #argumentChecks}).
     */
    private static void privileged(BpfAssembler a, String prefix, SyscallTable table, Set<String> allowed) {
        Set<Integer> eperm = new TreeSet<>();
        for (String name : PrivilegedSyscalls.deniedSyscalls(allowed)) {
            for (int nr : table.numbers(name)) {
                eperm.add(nr);
            }
        }
        for (int nr : eperm) {
            a.ifEqual(nr, "eperm");
        }
        for (ArgumentCheck c : argumentChecks(allowed)) {
            for (int nr : table.numbers(c.syscall())) {
                a.ifEqual(nr, c.enosys() ? "enosys" : prefix + c.syscall());
            }
        }
    }

    /** One syscall judged on a register: {@code (arg & mask) != 0} is denied, unless {@code arg == exempt}. */
    private record ArgumentCheck(String syscall, int arg, int mask, int condArg, int condMask, Integer exempt,
                                 boolean enosys) {
        static ArgumentCheck whole(String syscall, boolean enosys) {
            return new ArgumentCheck(syscall, -1, 0, -1, 0, null, enosys);
        }

        static ArgumentCheck bits(String syscall, int arg, int mask) {
            return new ArgumentCheck(syscall, arg, mask, -1, 0, null, false);
        }
    }

    private static List<ArgumentCheck> argumentChecks(Set<String> allowed) {
        List<ArgumentCheck> checks = new ArrayList<>();
        if (PrivilegedSyscalls.enforces(Kind.SETID_MODES, allowed)) {
            checks.add(ArgumentCheck.bits("chmod", 1, SETID_BITS));
            checks.add(ArgumentCheck.bits("fchmod", 1, SETID_BITS));
            checks.add(ArgumentCheck.bits("fchmodat", 2, SETID_BITS));
            checks.add(ArgumentCheck.bits("fchmodat2", 2, SETID_BITS));
            checks.add(ArgumentCheck.bits("creat", 1, SETID_BITS));
            checks.add(ArgumentCheck.bits("mknod", 1, SETID_BITS));
            checks.add(ArgumentCheck.bits("mknodat", 2, SETID_BITS));
            checks.add(new ArgumentCheck("open", 2, SETID_BITS, 1, OPEN_CREATES, null, false));
            checks.add(new ArgumentCheck("openat", 3, SETID_BITS, 2, OPEN_CREATES, null, false));
            checks.add(ArgumentCheck.whole("openat2", true));
        }
        if (PrivilegedSyscalls.enforces(Kind.NAMESPACES, allowed)) {
            checks.add(ArgumentCheck.bits("unshare", 0, CLONE_NEW_FLAGS | CLONE_NEWTIME));
            checks.add(ArgumentCheck.bits("clone", 0, CLONE_NEW_FLAGS));
            checks.add(ArgumentCheck.whole("setns", false));
            checks.add(ArgumentCheck.whole("clone3", true));
        }
        if (PrivilegedSyscalls.enforces(Kind.PERSONALITY, allowed)) {
            checks.add(new ArgumentCheck("personality", 0, PERSONALITY_WEAKENING, -1, 0, PERSONALITY_QUERY, false));
        }
        return checks;
    }

    /** The blocks {@link #privileged} jumps to, one per argument-checked syscall of this ABI. */
    private static void argumentChecks(BpfAssembler a, String prefix, SyscallTable table, Set<String> allowed) {
        for (ArgumentCheck c : argumentChecks(allowed)) {
            if (c.enosys() || table.numbers(c.syscall()).length == 0) {
                continue;
            }
            a.label(prefix + c.syscall());
            if (c.arg() < 0) {
                a.jump("eperm");
                continue;
            }
            if (c.condArg() >= 0) {
                a.load(Bpf.argLow(c.condArg())).and(c.condMask()).ifEqual(0, "allow");
            }
            a.load(Bpf.argLow(c.arg()));
            if (c.exempt() != null) {
                a.ifEqual(c.exempt(), "allow");
            }
            a.and(c.mask()).ifNotEqual(0, "eperm").jump("allow");
        }
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
