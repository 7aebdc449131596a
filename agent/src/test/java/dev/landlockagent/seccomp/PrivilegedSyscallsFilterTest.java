package dev.landlockagent.seccomp;

import dev.landlockagent.linux.SockFilter;
import dev.landlockagent.linux.Bpf;
import dev.landlockagent.linux.Arch;
import dev.landlockagent.linux.SyscallTable;
import dev.landlockagent.plan.SocketPlan;
import dev.landlockagent.policy.PrivilegedSyscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The privileged syscalls (docs/policy.md, list 1) are denied on every entry point a process has
 * (native, x32, i386 or 32-bit ARM), every other syscall passes, and the argument-checked groups
 * decide on the registers as the docs say.
 */
class PrivilegedSyscallsFilterTest {
    static final int ALLOW = Bpf.SECCOMP_RET_ALLOW;
    static final int EPERM = Bpf.SECCOMP_RET_ERRNO | SeccompFilter.EPERM;
    static final int ENOSYS = Bpf.SECCOMP_RET_ERRNO | SeccompFilter.ENOSYS;
    static final int X32 = 0x4000_0000;

    private static List<SockFilter> filter(Arch arch, Set<String> allowed) {
        return SeccompFilter.compile(SocketPlan.UNRESTRICTED, allowed, arch, SeccompFilter.Canary.NONE);
    }

    private static int run(List<SockFilter> prog, int auditArch, int nr, long... args) {
        return BpfInterpreter.run(prog, new BpfInterpreter.Data(nr, auditArch, args));
    }

    /** Every ABI a process of {@code arch} can enter: native, x32 (x86_64), and the compat one. */
    private record Entry(String name, int auditArch, int bit, SyscallTable table) {
    }

    private static List<Entry> entries(Arch arch) {
        List<Entry> e = new java.util.ArrayList<>(List.of(new Entry(arch.name(), arch.auditArch, 0, arch.table),
                new Entry(arch.compat.name(), arch.compat.auditArch(), 0, arch.compat.table())));
        if (arch.x32SyscallBit != 0) {
            e.add(new Entry("x32", arch.auditArch, arch.x32SyscallBit, arch.table));
        }
        return e;
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyPrivilegedSyscallIsDeniedWithEpermOnEveryEntryPoint(Arch arch) {
        List<SockFilter> prog = filter(arch, Set.of());
        int checked = 0;
        for (Entry e : entries(arch)) {
            for (String name : PrivilegedSyscalls.deniedSyscalls(Set.of())) {
                for (int nr : e.table().numbers(name)) {
                    assertEquals(EPERM, run(prog, e.auditArch(), nr | e.bit()), e.name() + " " + name + " (" + nr + ")");
                    checked++;
                }
            }
        }
        assertTrue(checked > 90, "the tables name the list's syscalls: " + checked);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyOtherSyscallPassesWithPlainArguments(Arch arch) {
        List<SockFilter> prog = filter(arch, Set.of());
        for (Entry e : entries(arch)) {
            Set<Integer> listed = new HashSet<>();
            for (PrivilegedSyscalls.Group g : PrivilegedSyscalls.GROUPS) {
                for (String name : g.syscalls()) {
                    for (int nr : e.table().numbers(name)) {
                        listed.add(nr);
                    }
                }
            }
            for (int nr = 0; nr < 480; nr++) {
                if (!listed.contains(nr) && nr != arch.pread64) {
                    assertEquals(ALLOW, run(prog, e.auditArch(), nr | e.bit(), 3, 0, 0, 0), e.name() + " syscall " + nr);
                }
            }
            // the argument-checked ones, used plainly
            for (String plain : List.of("open", "openat", "chmod", "fchmod", "fchmodat", "fchmodat2", "clone", "unshare",
                    "personality", "creat", "mknodat")) {
                for (int nr : e.table().numbers(plain)) {
                    assertEquals(ALLOW, run(prog, e.auditArch(), nr | e.bit(), 0, 0, 0, 0), e.name() + " " + plain + " with zeros");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void aPolicyAllowsOneSyscallOrAWholeGroup(Arch arch) {
        int perf = arch.table.numbers("perf_event_open")[0];
        int ptrace = arch.table.numbers("ptrace")[0];
        List<SockFilter> one = filter(arch, Set.of("perf_event_open"));
        assertEquals(ALLOW, run(one, arch.auditArch, perf));
        assertEquals(EPERM, run(one, arch.auditArch, ptrace), "the rest of @debug stays denied");
        List<SockFilter> group = filter(arch, Set.of("@debug"));
        assertEquals(ALLOW, run(group, arch.auditArch, perf));
        assertEquals(ALLOW, run(group, arch.auditArch, ptrace));
        assertEquals(ALLOW, run(group, arch.compat.auditArch(), arch.compat.table().numbers("ptrace")[0]), "and on the compat ABI");
        assertEquals(EPERM, run(group, arch.auditArch, arch.table.numbers("reboot")[0]));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void theSetuidAndSetgidBitsAreNeverSet(Arch arch) {
        List<SockFilter> prog = filter(arch, Set.of());
        for (Entry e : entries(arch)) {
            SyscallTable t = e.table();
            String on = e.name();
            for (int nr : t.numbers("chmod")) {
                assertEquals(EPERM, run(prog, e.auditArch(), nr | e.bit(), 0x1000, 04755), on + " chmod 04755");
                assertEquals(EPERM, run(prog, e.auditArch(), nr | e.bit(), 0x1000, 02755), on + " chmod 02755");
                assertEquals(ALLOW, run(prog, e.auditArch(), nr | e.bit(), 0x1000, 01777), on + " chmod 01777 (sticky is fine)");
            }
            for (String at : List.of("fchmodat", "fchmodat2", "mknodat")) {
                for (int nr : t.numbers(at)) {
                    assertEquals(EPERM, run(prog, e.auditArch(), nr | e.bit(), -100, 0x1000, 0104755), on + " " + at);
                    assertEquals(ALLOW, run(prog, e.auditArch(), nr | e.bit(), -100, 0x1000, 0100644), on + " " + at + " 0644");
                }
            }
            for (int nr : t.numbers("fchmod")) {
                assertEquals(EPERM, run(prog, e.auditArch(), nr | e.bit(), 5, 06755), on + " fchmod");
                assertEquals(ALLOW, run(prog, e.auditArch(), nr | e.bit(), 5, 0600), on + " fchmod 0600");
            }
            for (int nr : t.numbers("openat")) {
                int oCreat = 0100;
                assertEquals(EPERM, run(prog, e.auditArch(), nr | e.bit(), -100, 0x1000, oCreat | 1, 04755), on + " openat O_CREAT");
                assertEquals(EPERM, run(prog, e.auditArch(), nr | e.bit(), -100, 0x1000, 020200002, 02755), on + " openat O_TMPFILE");
                assertEquals(ALLOW, run(prog, e.auditArch(), nr | e.bit(), -100, 0x1000, 0, 04755),
                        on + " openat without O_CREAT: the mode register is not used");
                assertEquals(ALLOW, run(prog, e.auditArch(), nr | e.bit(), -100, 0x1000, oCreat, 0644), on + " openat O_CREAT 0644");
            }
            for (int nr : t.numbers("open")) {
                assertEquals(EPERM, run(prog, e.auditArch(), nr | e.bit(), 0x1000, 0101, 04700), on + " open O_CREAT");
                assertEquals(ALLOW, run(prog, e.auditArch(), nr | e.bit(), 0x1000, 0, 04700), on + " open O_RDONLY");
            }
            for (int nr : t.numbers("openat2")) {
                assertEquals(ENOSYS, run(prog, e.auditArch(), nr | e.bit(), -100, 0x1000, 0x2000, 24), on + " openat2");
            }
        }
        List<SockFilter> allowed = filter(arch, Set.of("@setid-modes"));
        assertEquals(ALLOW, run(allowed, arch.auditArch, arch.table.numbers("fchmodat")[0], -100, 0x1000, 04755));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void noNamespaceIsCreatedOrJoined(Arch arch) {
        List<SockFilter> prog = filter(arch, Set.of());
        for (Entry e : entries(arch)) {
            int unshare = e.table().numbers("unshare")[0] | e.bit();
            int clone = e.table().numbers("clone")[0] | e.bit();
            assertEquals(EPERM, run(prog, e.auditArch(), unshare, 0x10000000), e.name() + " unshare(CLONE_NEWUSER)");
            assertEquals(EPERM, run(prog, e.auditArch(), unshare, 0x00020000 | 0x200), e.name() + " unshare(CLONE_NEWNS|CLONE_FS)");
            assertEquals(EPERM, run(prog, e.auditArch(), unshare, 0x80), e.name() + " unshare(CLONE_NEWTIME)");
            assertEquals(ALLOW, run(prog, e.auditArch(), unshare, 0x200 | 0x400), e.name() + " unshare(CLONE_FS|CLONE_FILES)");
            assertEquals(EPERM, run(prog, e.auditArch(), clone, 0x40000000 | 17), e.name() + " clone(CLONE_NEWNET|SIGCHLD)");
            assertEquals(ALLOW, run(prog, e.auditArch(), clone, 0x003d0f00), e.name() + " clone for a thread (glibc's flags)");
            assertEquals(ALLOW, run(prog, e.auditArch(), clone, 0x80 | 17), e.name() + " clone: 0x80 is an exit signal bit here");
            assertEquals(EPERM, run(prog, e.auditArch(), e.table().numbers("setns")[0] | e.bit(), 3, 0), e.name() + " setns");
            assertEquals(ENOSYS, run(prog, e.auditArch(), e.table().numbers("clone3")[0] | e.bit(), 0x1000, 88),
                    e.name() + " clone3: glibc falls back to clone");
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void personalityCanBeReadButNotWeakened(Arch arch) {
        List<SockFilter> prog = filter(arch, Set.of());
        for (Entry e : entries(arch)) {
            int nr = e.table().numbers("personality")[0] | e.bit();
            assertEquals(ALLOW, run(prog, e.auditArch(), nr, 0xffff_ffffL), e.name() + " query");
            assertEquals(ALLOW, run(prog, e.auditArch(), nr, 0), e.name() + " PER_LINUX");
            assertEquals(ALLOW, run(prog, e.auditArch(), nr, 8), e.name() + " PER_LINUX32");
            assertEquals(EPERM, run(prog, e.auditArch(), nr, 0x0040000), e.name() + " ADDR_NO_RANDOMIZE");
            assertEquals(EPERM, run(prog, e.auditArch(), nr, 0x0400000), e.name() + " READ_IMPLIES_EXEC");
            assertEquals(EPERM, run(prog, e.auditArch(), nr, 0x0100000 | 0x0200000), e.name() + " MMAP_PAGE_ZERO");
        }
    }

    @Test
    void everyNameOfTheListHasANumberOnSomeAbi() {
        for (PrivilegedSyscalls.Group g : PrivilegedSyscalls.GROUPS) {
            for (String name : g.syscalls()) {
                int abis = 0;
                for (SyscallTable t : List.of(SyscallTable.X86_64, SyscallTable.I386, SyscallTable.AARCH64, SyscallTable.ARM)) {
                    abis += t.numbers(name).length > 0 ? 1 : 0;
                }
                assertTrue(abis > 0, g.name() + " names " + name + ", which no table numbers");
            }
        }
    }
}
