package dev.landlockagent.confine;

import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.linux.Errno;
import dev.landlockagent.plan.KernelInfo;
import dev.landlockagent.plan.Planner;
import dev.landlockagent.plan.JvmFacts;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.policy.Policy;
import dev.landlockagent.policy.PolicyContext;
import dev.landlockagent.policy.PolicyParser;
import dev.landlockagent.seccomp.SeccompFilter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every syscall the agent makes, failed with every errno the kernel documents for it: each cell
 * of the matrix either fails closed with a message naming the syscall and what the errno means,
 * or is tolerated because the agent does not need that call to succeed.
 */
class FaultInjectionTest {
    enum Outcome { FAILS_CLOSED, TOLERATED }

    /** The documented errnos (man pages and the kernel sources) and what the agent must do with each. */
    static final Map<String, Map<Errno, Outcome>> MATRIX = new LinkedHashMap<>();

    static {
        cells("prctl", Outcome.FAILS_CLOSED, Errno.EINVAL, Errno.EFAULT, Errno.EPERM);
        cells("landlock_create_ruleset", Outcome.FAILS_CLOSED, Errno.EOPNOTSUPP, Errno.ENOSYS, Errno.EINVAL, Errno.E2BIG,
                Errno.EFAULT, Errno.ENOMSG, Errno.ENOMEM, Errno.EMFILE);
        cells("openat", Outcome.FAILS_CLOSED, Errno.ENOENT, Errno.EACCES, Errno.ELOOP, Errno.ENAMETOOLONG, Errno.ENOTDIR,
                Errno.EMFILE, Errno.ENFILE, Errno.ENOMEM);
        cells("landlock_add_rule", Outcome.FAILS_CLOSED, Errno.EINVAL, Errno.ENOMSG, Errno.EBADF, Errno.EBADFD, Errno.EPERM,
                Errno.EFAULT, Errno.ENOMEM);
        cells("close", Outcome.TOLERATED, Errno.EBADF, Errno.EINTR, Errno.EIO);
        cells("capget", Outcome.FAILS_CLOSED, Errno.EFAULT, Errno.EINVAL, Errno.EPERM, Errno.ESRCH);
        cells("capset", Outcome.FAILS_CLOSED, Errno.EFAULT, Errno.EINVAL, Errno.EPERM);
        cells("prctl PR_CAPBSET_DROP", Outcome.FAILS_CLOSED, Errno.EPERM);
        // EINVAL: past this kernel's last capability, where the loop ends
        cells("prctl PR_CAPBSET_DROP", Outcome.TOLERATED, Errno.EINVAL);
        cells("prctl PR_CAP_AMBIENT", Outcome.FAILS_CLOSED, Errno.EPERM);
        // EINVAL: a kernel before 4.3, which has no ambient set
        cells("prctl PR_CAP_AMBIENT", Outcome.TOLERATED, Errno.EINVAL);
        cells("landlock_restrict_self", Outcome.FAILS_CLOSED, Errno.EPERM, Errno.EINVAL, Errno.EBADF, Errno.EBADFD,
                Errno.E2BIG, Errno.ENOMEM);
        cells("seccomp", Outcome.FAILS_CLOSED, Errno.EACCES, Errno.EFAULT, Errno.EINVAL, Errno.ENOMEM, Errno.ESRCH, Errno.EBUSY);
        cells("pipe2", Outcome.FAILS_CLOSED, Errno.EMFILE, Errno.ENFILE, Errno.EFAULT, Errno.EINVAL);
        cells("write", Outcome.FAILS_CLOSED, Errno.EAGAIN, Errno.EPIPE, Errno.EFAULT, Errno.EINTR, Errno.EBADF);
        cells("dup3", Outcome.FAILS_CLOSED, Errno.EBADF, Errno.EBUSY, Errno.EINTR, Errno.EMFILE, Errno.EINVAL);
        cells("close_range", Outcome.TOLERATED, Errno.ENOSYS, Errno.EINVAL, Errno.EMFILE);
        cells("execve", Outcome.FAILS_CLOSED, Errno.E2BIG, Errno.EACCES, Errno.ENOENT, Errno.ENOEXEC, Errno.ENOMEM,
                Errno.ETXTBSY, Errno.ELIBBAD, Errno.ELOOP, Errno.EINVAL);
    }

    private static void cells(String syscall, Outcome outcome, Errno... errnos) {
        Map<Errno, Outcome> row = MATRIX.computeIfAbsent(syscall, s -> new LinkedHashMap<>());
        for (Errno e : errnos) {
            row.put(e, outcome);
        }
    }

    @TempDir
    Path dir;
    RulesetPlan plan;

    @BeforeEach
    void plan() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        String json = "{\"version\": 1, \"jvm\": \"none\", \"filesystem\": [{\"path\": \"" + dir.resolve("data")
                + "\", \"allow\": [\"read\"]}], \"network\": {\"tcp\": {\"bind\": [8080]}}}";
        Policy policy = PolicyParser.parse(json.getBytes(StandardCharsets.UTF_8), "policy.json",
                PolicyContext.of(dir, dir, dir, dir, null, dir, Map.of()));
        JvmFacts facts = new JvmFacts(dir.resolve("no-jdk"), null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), null, dir, "u", dev.landlockagent.plan.DiagnosticFiles.NONE);
        plan = Planner.plan(policy, new KernelInfo(LandlockAbi.of(7)), facts);
    }

    /** Applies {@code plan} as {@code mechanism} does, with the seccomp program the first JVM would make. */
    private static void apply(FakeSyscalls sys, RulesetPlan plan, Mechanism mechanism, SeccompFilter.Canary canary)
            throws StartupFailure {
        new Confinement(sys).apply(plan, mechanism, Confinement.seccompProgram(plan, sys.arch(), canary), List.of());
    }

    /** Confines and re-executes through {@code sys}, as the re-exec path does. */
    private void confineAndExec(FakeSyscalls sys) throws StartupFailure {
        apply(sys, plan, Mechanism.REEXEC, new SeccompFilter.Canary(1L << 62));
        ReExec.Request request = new ReExec.Request("/usr/bin/java", List.of("java".getBytes(), "-Dm=".getBytes()), List.of(), 0,
                "v=2".getBytes(), 1);
        try {
            ReExec.exec(request, sys);
        } catch (IllegalStateException fakeSuccess) {
            // FakeSyscalls.execve "succeeded"
        }
    }

    @Test
    void withoutFaultsTheCallsComeInTheirOrder() throws Exception {
        FakeSyscalls sys = new FakeSyscalls();
        confineAndExec(sys);
        List<String> expected = new ArrayList<>(List.of("prctl", "landlock_create_ruleset", "openat", "landlock_add_rule",
                "close", "landlock_add_rule", "landlock_restrict_self", "close", "capget"));
        for (int cap = 0; cap <= 40; cap++) {
            expected.add("prctl PR_CAPBSET_DROP");
        }
        expected.addAll(List.of("prctl PR_CAP_AMBIENT", "capset", "seccomp", "pipe2", "write", "dup3", "close_range",
                "execve"));
        assertEquals(expected, sys.calls);
        assertEquals(0, sys.bounding | sys.permitted | sys.effective | sys.inheritable,
                "a root JVM keeps no capability the policy does not name");
        assertEquals(dev.landlockagent.linux.Bpf.SECCOMP_FILTER_FLAG_SPEC_ALLOW, sys.installedFilterFlags,
                "the filter must not force SSBD on the JVM (kernels before 5.16 would), and is not TSYNC on the re-exec path");
    }

    @Test
    void everyCellOfTheFaultMatrixFailsClosedOrIsTolerated() {
        List<String> report = new ArrayList<>();
        int cells = 0;
        for (Map.Entry<String, Map<Errno, Outcome>> row : MATRIX.entrySet()) {
            for (Map.Entry<Errno, Outcome> cell : row.getValue().entrySet()) {
                cells++;
                FakeSyscalls sys = new FakeSyscalls(row.getKey(), cell.getKey().number());
                String what = row.getKey() + " failing with " + cell.getKey();
                try {
                    confineAndExec(sys);
                    if (cell.getValue() == Outcome.FAILS_CLOSED) {
                        fail(what + " was tolerated, but must fail closed; calls: " + sys.calls);
                    }
                    if (row.getKey().equals("close_range")) {
                        assertTrue(sys.calls.contains("execve"), what + ": the exec still happens after the fallback");
                    }
                    report.add(what + ": tolerated");
                } catch (StartupFailure e) {
                    if (cell.getValue() == Outcome.TOLERATED) {
                        fail(what + " must be tolerated, but failed closed: " + e.getMessage());
                    }
                    assertTrue(e.getMessage().contains(row.getKey() + ": " + cell.getKey().name()),
                            what + ": the message names the syscall and errno: " + e.getMessage());
                    assertTrue(e.getMessage().length() > row.getKey().length() + 20, "and says what it means: " + e.getMessage());
                    assertTrue(!sys.calls.contains("execve") || row.getKey().equals("execve"),
                            what + ": nothing runs after a failure: " + sys.calls);
                    report.add(what + ": fails closed: " + e.getMessage());
                }
            }
        }
        assertEquals(cells, report.size());
        System.out.println("fault matrix: " + cells + " cells\n  " + String.join("\n  ", report));
    }

    @Test
    void aKernelWithoutLandlockIsRefusedWithTheReason() {
        StartupFailure disabled = assertThrows(StartupFailure.class,
                () -> FirstJvm.probe(new FakeSyscalls("landlock_create_ruleset", Errno.EOPNOTSUPP.number())));
        assertTrue(disabled.getMessage().contains("Landlock is not available"), disabled.getMessage());
        assertTrue(disabled.getMessage().contains("add landlock to lsm= on the kernel command line"), disabled.getMessage());
        StartupFailure missing = assertThrows(StartupFailure.class,
                () -> FirstJvm.probe(new FakeSyscalls("landlock_create_ruleset", Errno.ENOSYS.number())));
        assertTrue(missing.getMessage().contains("built without Landlock"), missing.getMessage());
    }

    @Test
    void aBaselineEntryThatCannotBeOpenedIsSkippedButAPolicyPathIsNot() throws Exception {
        // The plan's only openat is for the policy's own path: refusing is right.
        assertThrows(StartupFailure.class, () -> apply(new FakeSyscalls("openat", Errno.ENOENT.number()), plan,
                Mechanism.MAIN_THREAD_ONLY, SeccompFilter.Canary.NONE));
        RulesetPlan baselineOnly = new RulesetPlan(plan.policyOrigin(), plan.abi(), plan.handledFs(), plan.handledNet(),
                plan.scoped(), List.of(new dev.landlockagent.plan.PathGrant(dir, 4, false, "jvm baseline: test")),
                plan.ports(), plan.sockets(), plan.listening(), List.of(), List.of(), 0, java.util.Set.of(), false, false);
        FakeSyscalls sys = new FakeSyscalls("openat", Errno.ENOENT.number());
        apply(sys, baselineOnly, Mechanism.MAIN_THREAD_ONLY, SeccompFilter.Canary.NONE);
        assertTrue(sys.calls.contains("landlock_restrict_self"));
    }

    @Test
    void theReExecAsksLandlockToAuditTheNewJvmsDenials() throws Exception {
        FakeSyscalls sys = new FakeSyscalls();
        apply(sys, plan, Mechanism.REEXEC, SeccompFilter.Canary.NONE);
        assertEquals(1 << 1, sys.restrictFlags, "LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON");
        FakeSyscalls tsync = new FakeSyscalls();
        apply(tsync, plan, Mechanism.TSYNC, SeccompFilter.Canary.NONE);
        assertEquals(1 << 3, tsync.restrictFlags, "LANDLOCK_RESTRICT_SELF_TSYNC");
    }

    @Test
    void aRootJvmKeepsOnlyTheCapabilitiesThePolicyNamesInEverySet() throws Exception {
        RulesetPlan keeps = new RulesetPlan(plan.policyOrigin(), plan.abi(), plan.handledFs(), plan.handledNet(),
                plan.scoped(), plan.paths(), plan.ports(), plan.sockets(), plan.listening(), List.of(), List.of(),
                dev.landlockagent.linux.Capability.NET_BIND_SERVICE.mask(), java.util.Set.of(), false, false);
        FakeSyscalls sys = new FakeSyscalls();
        apply(sys, keeps, Mechanism.REEXEC, SeccompFilter.Canary.NONE);
        long nbs = dev.landlockagent.linux.Capability.NET_BIND_SERVICE.mask();
        assertEquals(nbs, sys.bounding, "bounding set");
        assertEquals(nbs, sys.permitted, "permitted set");
        assertEquals(nbs, sys.effective, "effective set");
        assertEquals(0, sys.inheritable, "inheritable set");
    }

    @Test
    void aJvmWithoutCapabilitiesCannotLowerItsBoundingSetAndDoesNotTry() throws Exception {
        FakeSyscalls sys = new FakeSyscalls();
        sys.effective = 0;
        sys.permitted = 0;
        apply(sys, plan, Mechanism.REEXEC, SeccompFilter.Canary.NONE);
        assertTrue(!sys.calls.contains("prctl PR_CAPBSET_DROP"), "without CAP_SETPCAP the kernel refuses: " + sys.calls);
        assertTrue(sys.calls.contains("prctl PR_CAP_AMBIENT") && sys.calls.contains("capset"), sys.calls.toString());
    }
}
