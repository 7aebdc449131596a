package dev.landlockagent.it;

import dev.landlockagent.it.probe.Probe;
import dev.landlockagent.junit.SandboxedJvm;

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

    /**
     * A plugin jar for the plugin-host sample: {@code plugin}'s class files (its own and its nested
     * classes') from the test classes, and the {@code Plugin-Class} attribute naming it.
     */
    static Path pluginJar(Path file, Class<? extends Runnable> plugin) throws java.io.IOException {
        java.util.jar.Manifest mf = new java.util.jar.Manifest();
        mf.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(new java.util.jar.Attributes.Name("Plugin-Class"), plugin.getName());
        Path folder = testClasses().resolve(plugin.getPackageName().replace('.', '/'));
        List<Path> classes;
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(folder)) {
            String simple = plugin.getSimpleName();
            classes = s.filter(p -> p.getFileName().toString().equals(simple + ".class")
                    || p.getFileName().toString().startsWith(simple + "$")).toList();
        }
        try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(file), mf)) {
            for (Path c : classes) {
                jar.putNextEntry(new java.util.jar.JarEntry(testClasses().relativize(c).toString()));
                jar.write(java.nio.file.Files.readAllBytes(c));
                jar.closeEntry();
            }
        }
        return file;
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
