package dev.landlockagent.confine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the re-executed JVM accepts as proof that the first JVM confined it. The accepting case
 * needs the first JVM's seccomp filter, which this (unconfined) test JVM must never install; the
 * integration tests (ReExecTest, the escape suite's forged marker) cover it with real JVMs.
 */
class VerificationTest {
    @TempDir
    Path dir;

    private static ConfinementProof marker(long pid, long canary) {
        return new ConfinementProof(pid, canary, 0, 7);
    }

    @Test
    void aMarkerBuiltForAnotherPidIsRejected() throws Exception {
        Path jar = Files.writeString(dir.resolve("agent.jar"), "x");
        String why = Verification.reject(marker(ProcessHandle.current().pid() + 1, 4096), ProcessHandle.current().pid(), jar);
        assertNotNull(why);
        assertTrue(why.contains("it was set for process"), why);
    }

    @Test
    void aMarkerWithoutACanaryIsRejected() throws Exception {
        Path jar = Files.writeString(dir.resolve("agent.jar"), "x");
        long pid = ProcessHandle.current().pid();
        assertEquals("it has no canary", Verification.reject(marker(pid, 0), pid, jar));
    }

    @Test
    void anOpenFailureIsNotACanaryAnswer() {
        String why = Verification.canary(dir.resolve("missing.jar"), 4096);
        assertNotNull(why, "a file that cannot be opened must not count as the filter answering");
        assertTrue(why.contains("could not be probed"), why);
    }

    @Test
    void aFolderWhoseReadFailsIsNotACanaryAnswer() {
        String why = Verification.canary(dir, 4096);
        assertNotNull(why, "reading a folder fails with EISDIR, which is not the filter");
        assertTrue(why.contains("not a readable regular file"), why);
    }

    @Test
    void withoutTheFilterAReadPastTheEndIsEndOfFileAndRejected() throws Exception {
        Path jar = Files.writeString(dir.resolve("agent.jar"), "x");
        String why = Verification.canary(jar, 0x7000_0000_0000L);
        assertNotNull(why);
        assertTrue(why.contains("did not answer (read returned -1)"), why);
    }
}
