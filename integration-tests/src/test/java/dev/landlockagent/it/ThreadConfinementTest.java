package dev.landlockagent.it;

import com.sun.tools.attach.VirtualMachine;
import dev.landlockagent.it.probe.AttachedAgent;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static dev.landlockagent.it.Probes.assertDenied;
import static dev.landlockagent.it.Probes.result;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every thread of a confined JVM is inside the domain, including the threads that exist before the
 * agent runs and the threads they start later: the bug that restricting only the main thread in
 * premain would leave open (docs/kernel-facts.md).
 */
@RequiresLandlock(abi = 1)
class ThreadConfinementTest {
    /**
     * Outside every policy these tests use (not on the class path). Under target/, or under
     * landlock.test.scratch where target/ is read-only (the kernel guests).
     */
    static Path secret;

    @BeforeAll
    static void createSecret() throws IOException {
        Path dir = Path.of(System.getProperty("landlock.test.scratch", "target"), "landlock-secrets").toAbsolutePath();
        Files.createDirectories(dir);
        secret = dir.resolve("secret.txt");
        Files.writeString(secret, "not for the sandbox\n");
    }

    private static final String DENY_ALL = "{\"version\": 1}";

    /**
     * A confined JVM for {@code policy}, run as {@code -Dlandlock.test.user=UID:GID} when set: the
     * kernel matrix's 7.2 guest runs these tests as a user without capabilities, the JVM TSYNC can
     * confine in place (a JVM holding capabilities is re-executed: see confine.Capabilities).
     */
    private static SandboxedJvm jvm(String policy) {
        SandboxedJvm jvm = SandboxedJvm.withPolicyJson(policy);
        String user = System.getProperty("landlock.test.user");
        if (user != null && !user.isEmpty()) {
            String[] ids = user.split(":");
            jvm.asUser(Integer.parseInt(ids[0]), Integer.parseInt(ids[1]));
        }
        return jvm;
    }

    @Test
    void mainThreadAndItsThreadsCannotReadAFileThePolicyDoesNotAllow() {
        SandboxedJvm.Result r = Probes.run(jvm(DENY_ALL),
                "read", secret.toString(), "read-thread", secret.toString());
        assertDenied(r, "read " + secret);
        assertDenied(r, "read-thread " + secret);
    }

    @Test
    void finalizerThreadCannotReadDeniedFile() {
        SandboxedJvm.Result r = Probes.run(jvm(DENY_ALL), "read-finalizer", secret.toString());
        String line = result(r, "read-finalizer");
        assertTrue(line.contains("on Finalizer"), "the finalize() ran on the JVM's Finalizer thread: " + line);
        assertDenied(r, "read-finalizer");
    }

    @Test
    void commonCleanerThreadCannotReadDeniedFile() {
        SandboxedJvm.Result r = Probes.run(jvm(DENY_ALL)
                .jvmOptions("--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED"), "read-cleaner", secret.toString());
        String line = result(r, "read-cleaner");
        assertTrue(line.contains("on Common-Cleaner"), "the action ran on the JDK's Common-Cleaner thread: " + line);
        assertDenied(r, "read-cleaner");
    }

    @Test
    void shutdownHookRunAfterSigtermCannotReadDeniedFile() {
        SandboxedJvm.Running jvm = jvm(DENY_ALL).classpath(Probes.testClasses())
                .start(dev.landlockagent.it.probe.Probe.class.getName(), "read-hook", secret.toString());
        jvm.awaitLine("READY", Probes.awaitLimit());
        jvm.terminate();
        SandboxedJvm.Result r = jvm.await();
        assertDenied(r, "read-hook");
    }

    @Test
    void agentLoadedThroughTheAttachApiCannotReadDeniedFile(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // The Attach Listener needs its UNIX socket in /tmp (make_sock, and remove_file for the
        // rename and clean-up) and to listen on it, and the agent jar must be readable; nothing
        // else is granted, so the secret stays out of reach wherever the build runs.
        tmp.toFile().setReadable(true, false); // for a JVM run as another user (landlock.test.user)
        tmp.toFile().setExecutable(true, false);
        Path agentJar = tmp.resolve("attached-agent.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(new Attributes.Name("Agent-Class"), AttachedAgent.class.getName());
        try (OutputStream out = Files.newOutputStream(agentJar); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.flush();
        }
        String policy = """
                {"version": 1,
                 "filesystem": [{"path": "/tmp", "allow": ["make_sock", "remove_file"]},
                                {"path": "%s", "allow": ["read"]}],
                 "network": {"unix": {"listen": true}},
                 "sockets": [{"domain": "unix", "type": "stream"}]}""".formatted(agentJar);
        SandboxedJvm.Running jvm = jvm(policy).classpath(Probes.testClasses())
                .jvmOptions("-XX:+EnableDynamicAgentLoading")
                .start(dev.landlockagent.it.probe.Probe.class.getName(), "wait");
        String ready = jvm.awaitLine("READY", Probes.awaitLimit());
        VirtualMachine vm = VirtualMachine.attach(ready.substring("READY ".length()).strip());
        try {
            vm.loadAgent(agentJar.toString(), secret.toString());
        } finally {
            vm.detach();
        }
        String line = jvm.awaitLine("RESULT read-attached", Probes.awaitLimit());
        jvm.terminate();
        jvm.await();
        assertTrue(line.contains("on Attach Listener"), "the agent ran on the Attach Listener: " + line);
        assertTrue(line.contains(" DENIED "), "the attached agent must not read " + secret + ": " + line);
    }
}
