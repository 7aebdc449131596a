package dev.landlockagent.it;

import dev.landlockagent.it.probe.Probe;
import dev.landlockagent.testing.SandboxedJvm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Helpers for running {@link Probe} in confined JVMs and reading its RESULT lines. */
final class Probes {
    private Probes() {
    }

    static Path testClasses() {
        return Path.of(System.getProperty("landlock.test.classes", "target/test-classes"));
    }

    /** How long to wait for a line from a confined JVM: 30 s, or -Dlandlock.test.timeout. */
    static java.time.Duration awaitLimit() {
        return java.time.Duration.ofSeconds(Long.getLong("landlock.test.timeout", 30));
    }

    static SandboxedJvm.Result run(SandboxedJvm jvm, String... commands) {
        return jvm.classpath(testClasses()).run(Probe.class.getName(), commands);
    }

    /** The RESULT line whose label starts with {@code label}. */
    static String result(SandboxedJvm.Result r, String label) {
        List<String> matches = new ArrayList<>();
        for (String line : r.stdoutLines()) {
            if (line.startsWith("RESULT " + label)) {
                matches.add(line);
            }
        }
        if (matches.isEmpty()) {
            fail("no RESULT line for '" + label + "'\n" + r.describe());
        }
        return matches.get(0);
    }

    static void assertDenied(SandboxedJvm.Result r, String label) {
        String line = result(r, label);
        assertTrue(line.contains(" DENIED "), "expected '" + label + "' to be denied, got: " + line + "\n" + r.describe());
    }

    static void assertAllowed(SandboxedJvm.Result r, String label) {
        String line = result(r, label);
        assertTrue(line.contains(" OK"), "expected '" + label + "' to succeed, got: " + line + "\n" + r.describe());
    }

    static void assertExit(SandboxedJvm.Result r, int status) {
        assertEquals(status, r.exitCode(), r.describe());
    }
}
