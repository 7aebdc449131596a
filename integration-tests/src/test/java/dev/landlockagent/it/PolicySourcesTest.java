package dev.landlockagent.it;

import dev.landlockagent.it.probe.Probe;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static dev.landlockagent.it.Probes.assertAllowed;
import static dev.landlockagent.it.Probes.assertDenied;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy can come from the agent argument (a path, classpath: or jar:), the system property
 * landlock.policy, or the application jar's Landlock-Policy manifest attribute (also for an
 * executable jar that bundles the agent with Launcher-Agent-Class); that is also the order of
 * precedence.
 */
@RequiresLandlock(abi = 1)
class PolicySourcesTest {
    static Path readable;
    static String allowReadable;

    @BeforeAll
    static void files() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "landlock-sources").toAbsolutePath());
        readable = Files.writeString(dir.resolve("readable.txt"), "hello");
        allowReadable = "{\"version\": 1, \"filesystem\": [{\"path\": \"" + readable + "\", \"allow\": [\"read\"]}]}";
    }

    private static String[] probe() {
        return new String[] {"read", readable.toString()};
    }

    @Test
    void agentArgumentPath(@TempDir Path tmp) throws IOException {
        Path p = Files.writeString(tmp.resolve("p.json"), allowReadable);
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withPolicy(p), probe());
        assertAllowed(r, "read " + readable);
        assertTrue(r.stderr().contains("confined by " + p), r.stderr());
    }

    @Test
    void agentArgumentClasspathResource() {
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withAgentArgument("classpath:policies/deny-all.json"), probe());
        assertDenied(r, "read " + readable);
        assertTrue(r.stderr().contains("policies/deny-all.json"), r.stderr());
    }

    @Test
    void agentArgumentJarUrl(@TempDir Path tmp) throws IOException {
        Path jar = jar(tmp.resolve("policies.jar"), null, allowReadable);
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withAgentArgument("jar:" + jar.toUri() + "!/policy.json"), probe());
        assertAllowed(r, "read " + readable);
        assertTrue(r.stderr().contains("confined by " + jar + "!/policy.json"), r.stderr());
    }

    @Test
    void systemProperty(@TempDir Path tmp) throws IOException {
        Path p = Files.writeString(tmp.resolve("p.json"), allowReadable);
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withoutAgentArgument().jvmOptions("-Dlandlock.policy=" + p), probe());
        assertAllowed(r, "read " + readable);
    }

    @Test
    void manifestOfTheApplicationJar(@TempDir Path tmp) throws IOException {
        Path app = jar(tmp.resolve("app.jar"), Probe.class.getName(), allowReadable);
        SandboxedJvm.Result r = SandboxedJvm.withoutAgentArgument().runJar(app, probe());
        assertAllowed(r, "read " + readable);
        assertTrue(r.stderr().contains("confined by " + app + "!/policy.json"), r.stderr());
    }

    @Test
    void executableJarThatBundlesTheAgentIsConfinedByPlainJavaJar(@TempDir Path tmp) throws IOException {
        Path app = selfSandboxedJar(tmp.resolve("self.jar"), "{\"version\": 1}");
        SandboxedJvm.Result r = SandboxedJvm.unconfined().runJar(app, probe());
        assertDenied(r, "read " + readable);
        assertTrue(r.stderr().contains("[landlock-agent] INFO confined by " + app + "!/policy.json"), r.describe());
    }

    @Test
    void agentArgumentBeatsPropertyBeatsManifest(@TempDir Path tmp) throws IOException {
        Path allow = Files.writeString(tmp.resolve("allow.json"), allowReadable);
        Path deny = Files.writeString(tmp.resolve("deny.json"), "{\"version\": 1}");
        Path denyingApp = jar(tmp.resolve("deny-app.jar"), Probe.class.getName(), "{\"version\": 1}");

        SandboxedJvm.Result argOverProperty = Probes.run(SandboxedJvm.withPolicy(allow)
                .jvmOptions("-Dlandlock.policy=" + deny), probe());
        assertAllowed(argOverProperty, "read " + readable);

        SandboxedJvm.Result propertyOverManifest = SandboxedJvm.withoutAgentArgument()
                .jvmOptions("-Dlandlock.policy=" + allow).runJar(denyingApp, probe());
        assertAllowed(propertyOverManifest, "read " + readable);

        SandboxedJvm.Result argOverManifest = SandboxedJvm.withPolicy(allow).runJar(denyingApp, probe());
        assertAllowed(argOverManifest, "read " + readable);

        SandboxedJvm.Result manifestAlone = SandboxedJvm.withoutAgentArgument().runJar(denyingApp, probe());
        assertDenied(manifestAlone, "read " + readable);
    }

    @Test
    void aPolicyPropertySetAfterStartChangesNothing(@TempDir Path tmp) throws IOException {
        Path deny = Files.writeString(tmp.resolve("deny.json"), "{\"version\": 1}");
        Path allow = Files.writeString(tmp.resolve("allow.json"), allowReadable);
        // The probe cannot set it before the agent runs; setting it in main is too late by design.
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withPolicy(deny).jvmOptions("-Dignored=" + allow), probe());
        assertDenied(r, "read " + readable);
        assertEquals(0, r.exitCode());
    }

    /** A jar with the probe classes (Class-Path to test-classes), policy.json, and optionally a Main-Class. */
    static Path jar(Path file, String mainClass, String policy) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null) {
            a.put(Attributes.Name.MAIN_CLASS, mainClass);
            a.put(Attributes.Name.CLASS_PATH, Probes.testClasses().toAbsolutePath().toUri().toString());
            a.put(new Attributes.Name("Landlock-Policy"), "policy.json");
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.putNextEntry(new JarEntry("policy.json"));
            jar.write(policy.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return file;
    }

    /** An executable jar that carries the agent (Launcher-Agent-Class) and its policy. */
    static Path selfSandboxedJar(Path file, String policy) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, Probe.class.getName());
        a.put(Attributes.Name.CLASS_PATH, Probes.testClasses().toAbsolutePath().toUri().toString());
        a.put(new Attributes.Name("Launcher-Agent-Class"), "dev.landlockagent.launch.AgentEntry");
        a.put(new Attributes.Name("Landlock-Policy"), "policy.json");
        a.put(new Attributes.Name("Can-Retransform-Classes"), "true");
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, mf);
             JarFile agent = new JarFile(SandboxedJvm.defaultAgentJar().toFile())) {
            for (Enumeration<JarEntry> e = agent.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (entry.getName().equals("META-INF/MANIFEST.MF") || entry.getName().equals("META-INF/")) {
                    continue;
                }
                jar.putNextEntry(new JarEntry(entry.getName()));
                try (InputStream in = agent.getInputStream(entry)) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
            jar.putNextEntry(new JarEntry("policy.json"));
            jar.write(policy.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return file;
    }
}
