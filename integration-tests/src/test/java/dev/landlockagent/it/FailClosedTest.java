package dev.landlockagent.it;

import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A policy the agent cannot enforce stops the JVM before main: exit status 78, one message on
 * stderr naming the file, line, column, key and fix, and no JVM stack trace.
 */
class FailClosedTest {

    private static SandboxedJvm.Result runWith(Path policy) {
        return Probes.run(SandboxedJvm.withPolicy(policy), "read", "/etc/hostname");
    }

    private static void assertRefused(SandboxedJvm.Result r, String... fragments) {
        assertEquals(78, r.exitCode(), r.describe());
        assertTrue(r.stdout().isEmpty(), "main must not run:\n" + r.describe());
        assertTrue(r.stderr().startsWith("landlock-agent: refusing to start: "), r.describe());
        for (String f : fragments) {
            assertTrue(r.stderr().contains(f), "expected '" + f + "' in the message:\n" + r.stderr());
        }
        assertFalse(r.stderr().contains("\tat "), "no stack trace:\n" + r.stderr());
        assertFalse(r.stderr().contains("FATAL ERROR"), r.stderr());
        assertFalse(r.stderr().contains("processing of -javaagent failed"), r.stderr());
        assertFalse(r.stderr().contains("Exception in thread"), r.stderr());
    }

    @Test
    void invalidJsonIsRefusedWithLineAndColumn(@TempDir Path tmp) throws Exception {
        Path p = Files.writeString(tmp.resolve("policy.json"), "{\n  \"version\": 1,\n  \"filesystem\": [\n    {\"path\": \"/x\" \"allow\": []}\n  ]\n}\n");
        assertRefused(runWith(p), p + ":4:19:");
    }

    @Test
    void unknownKeyIsRefusedWithTheKeyAndASuggestion(@TempDir Path tmp) throws Exception {
        Path p = Files.writeString(tmp.resolve("policy.json"), "{\"version\": 1,\n \"filesytem\": []}\n");
        assertRefused(runWith(p), p + ":2:2:", "unknown key \"filesytem\"", "did you mean \"filesystem\"");
    }

    @Test
    void duplicateKeyIsRefusedNamingBothPlaces(@TempDir Path tmp) throws Exception {
        Path p = Files.writeString(tmp.resolve("policy.json"), "{\"version\": 1,\n \"version\": 1}\n");
        assertRefused(runWith(p), p + ":2:2:", "duplicate key \"version\"", "first at line 1, column 2");
    }

    @Test
    void portOutsideTheRangeAndReversedRangesAreRefused(@TempDir Path tmp) throws Exception {
        Path p = Files.writeString(tmp.resolve("policy.json"),
                "{\"version\": 1, \"network\": {\"tcp\": {\"bind\": [70000], \"connect\": [\"9000-8000\"]}}}");
        assertRefused(runWith(p), "network.tcp.bind[0]", "port 70000 is outside 0..65535",
                "network.tcp.connect[0]", "range \"9000-8000\" is reversed", "\"8000-9000\"");
    }

    @Test
    void unknownAccessNameIsRefusedWithASuggestion(@TempDir Path tmp) throws Exception {
        Path p = Files.writeString(tmp.resolve("policy.json"),
                "{\"version\": 1, \"filesystem\": [{\"path\": \"/etc\", \"allow\": [\"reed\"]}]}");
        assertRefused(runWith(p), "filesystem[0].allow[0]", "unknown access \"reed\"", "did you mean \"read\"");
    }

    @Test
    void missingPathIsRefusedUnlessOptional(@TempDir Path tmp) throws Exception {
        Path p = Files.writeString(tmp.resolve("policy.json"),
                "{\"version\": 1, \"filesystem\": [{\"path\": \"does-not-exist\", \"allow\": \"read\"}]}");
        assertRefused(runWith(p), "filesystem[0].path", tmp.resolve("does-not-exist") + "\" does not exist",
                "\"optional\": true");
    }

    @Test
    void missingPolicyFileIsRefused(@TempDir Path tmp) {
        assertRefused(runWith(tmp.resolve("nope.json")), tmp.resolve("nope.json") + " (from the agent argument) does not exist");
    }

    @Test
    void noPolicyAtAllIsRefused() {
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withoutAgentArgument(), "read", "/etc/hostname");
        assertRefused(r, "no policy was given, so the JVM will not start unconfined");
    }

    @Test
    void wrongVersionIsRefused(@TempDir Path tmp) throws Exception {
        Path p = Files.writeString(tmp.resolve("policy.json"), "{\"version\": 2}");
        assertRefused(runWith(p), "unsupported version 2", "write \"version\": 1");
    }

    @Test
    @RequiresLandlock(abi = 4)
    void aStrictPolicyAskingForUdpRulesOnAKernelWithoutThemIsRefused(@TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.landlockagent.it.LandlockSupport.abi() < 10,
                "this kernel has UDP rules");
        Path p = Files.writeString(tmp.resolve("policy.json"),
                "{\"version\": 1, \"network\": {\"udp\": {\"bind\": [5353]}}}");
        assertRefused(runWith(p), "network.udp", "UDP port rules need Landlock ABI 10 (Linux 7.2)",
                "\"compatibility\": \"best-effort\"");
    }

    @Test
    @RequiresLandlock(abi = 4)
    void bestEffortStartsAndSaysWhatIsNotEnforced(@TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.landlockagent.it.LandlockSupport.abi() < 10,
                "this kernel has UDP rules");
        Path p = Files.writeString(tmp.resolve("policy.json"),
                "{\"version\": 1, \"compatibility\": \"best-effort\", \"network\": {\"udp\": {\"bind\": [5353]}}}");
        SandboxedJvm.Result r = runWith(p);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("WARN") && r.stderr().contains("UDP port rules need Landlock ABI 10"), r.stderr());
        assertTrue(r.stderr().contains("not enforced: UDP ports"), r.stderr());
    }
}
