package dev.landlockagent.it;

import dev.landlockagent.it.probe.Probe;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.landlockagent.it.Probes.assertDenied;
import static dev.landlockagent.it.Probes.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The re-exec path (Landlock ABI below 8) is invisible to the application and its caller: same
 * PID, exit status, streams and environment; no descriptor of the first JVM reaches the second;
 * and a marker set by hand never yields an unconfined JVM.
 */
@RequiresLandlock(abi = 1)
class ReExecTest {
    static Path secret;

    @BeforeAll
    static void secret() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "landlock-secrets").toAbsolutePath());
        secret = Files.writeString(dir.resolve("reexec-secret.txt"), "secret");
    }

    private static SandboxedJvm denyAll() {
        return SandboxedJvm.withPolicyJson("{\"version\": 1}");
    }

    @Test
    void exitStatusIsTheApplicationsOwn() {
        SandboxedJvm.Result r = Probes.run(denyAll(), "exit", "42");
        assertEquals(42, r.exitCode(), r.describe());
    }

    /**
     * While the FFM link runs, the first JVM plans for the ABI the kernel release (os.version)
     * suggests; the kernel's own answer decides. A release that suggests another ABI, or none,
     * must still give the plan for the ABI the kernel reports.
     */
    @Test
    void aKernelReleaseThatMisleadsThePlanAheadStillConfinesForTheRealAbi() {
        SandboxedJvm.Result real = Probes.run(denyAll(), "read", secret.toString());
        String abi = abiOf(real);
        for (String release : new String[] {"5.13.0", "9.9.0", "4.19.0", "not-a-release"}) {
            SandboxedJvm.Result r = Probes.run(denyAll().jvmOptions("-Dos.version=" + release, "-Dlandlock.timing=true"),
                    "read", secret.toString());
            assertDenied(r, "read " + secret);
            assertEquals(abi, abiOf(r), release + ": " + r.describe());
            assertTrue(r.stderr().contains("probe kernel, plan"), release + ": planned again: " + r.stderr());
        }
    }

    private static String abiOf(SandboxedJvm.Result r) {
        int at = r.stderr().indexOf("Landlock ABI ");
        assertTrue(at >= 0, r.describe());
        return r.stderr().substring(at, r.stderr().indexOf(',', at));
    }

    @Test
    void theConfinedJvmKeepsThePidItWasStartedWith() {
        SandboxedJvm.Running jvm = denyAll().classpath(Probes.testClasses()).start(Probe.class.getName(), "pid");
        SandboxedJvm.Result r = jvm.await();
        assertEquals("RESULT pid OK " + jvm.pid(), result(r, "pid"));
    }

    /**
     * HotSpot moves to /tmp/hsperfdata_USER while it creates its perf-data file and comes back only
     * if it could open the working directory; the agent keeps the re-executed JVM out of that trap.
     */
    @Test
    void theConfinedJvmKeepsItsWorkingDirectory(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path cwd = dir.toRealPath();
        SandboxedJvm.Result r = Probes.run(denyAll().workingDirectory(cwd), "cwd");
        assertEquals("RESULT cwd OK " + cwd + " user.dir=" + cwd, result(r, "cwd"));
        // With the working directory listable, perf data stays shared (jps lists the JVM) and the directory is kept too.
        SandboxedJvm.Result listable = Probes.run(SandboxedJvm.withPolicyJson("{\"version\": 1, \"filesystem\": [{\"path\": \""
                + cwd + "\", \"allow\": [\"read_dir\"]}]}").workingDirectory(cwd), "cwd");
        assertEquals("RESULT cwd OK " + cwd + " user.dir=" + cwd, result(listable, "cwd"));
    }

    /**
     * HotSpot removes its perf-data file (/tmp/hsperfdata_USER/PID) at exit, and an exec is no exit:
     * the first JVM removes its own, so that neither a stale file nor a stale jps entry is left.
     */
    @Test
    void theFirstJvmLeavesNoPerfDataFileBehind() throws IOException {
        Path folder = Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"));
        SandboxedJvm.Running jvm = denyAll().classpath(Probes.testClasses()).start(Probe.class.getName(), "ready", "stdin");
        jvm.awaitLine("READY", Probes.awaitLimit());
        Path file = folder.resolve(Long.toString(jvm.pid()));
        boolean whileRunning = Files.exists(file);
        jvm.process().getOutputStream().close();
        SandboxedJvm.Result r = jvm.await();
        assertEquals(0, r.exitCode(), r.describe());
        assertFalse(whileRunning, "its perf counters are in memory (the working directory is not listable): no file");
        assertFalse(Files.exists(file), "the first JVM's file was left behind: " + file);
    }

    @Test
    void standardInputReachesTheApplication() throws IOException {
        SandboxedJvm.Running jvm = denyAll().classpath(Probes.testClasses()).start(Probe.class.getName(), "stdin");
        try (OutputStream in = jvm.process().getOutputStream()) {
            in.write("hello from stdin\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("RESULT stdin OK hello from stdin", result(jvm.await(), "stdin"));
    }

    @Test
    void onlyTheInfoLineIsPrinted() {
        SandboxedJvm.Result r = Probes.run(denyAll(), "pid");
        assertEquals(1, r.stderrLines().size(), r.describe());
        assertTrue(r.stderrLines().get(0).startsWith("[landlock-agent] INFO confined by "), r.stderr());
    }

    @Test
    void javaToolOptionsArePickedUpOnceAndStillReachChildProcesses() {
        SandboxedJvm.Result r = Probes.run(denyAll().env("JAVA_TOOL_OPTIONS", "-Dfrom.tool.options=yes"),
                "prop", "from.tool.options", "env", "JAVA_TOOL_OPTIONS");
        assertEquals("RESULT prop from.tool.options OK yes", result(r, "prop"));
        assertEquals("RESULT env JAVA_TOOL_OPTIONS OK -Dfrom.tool.options=yes", result(r, "env"));
        long pickedUp = r.stderrLines().stream().filter(l -> l.startsWith("Picked up JAVA_TOOL_OPTIONS")).count();
        assertEquals(1, pickedUp, r.stderr());
    }

    @Test
    void noDescriptorOfTheFirstJvmOrItsParentReachesTheConfinedOne() {
        List<String> cmd = new ArrayList<>(denyAll().classpath(Probes.testClasses()).command(Probe.class.getName(), "fds"));
        // fd 7 open on the secret, inherited by the JVM from its parent.
        String shell = "exec 7<'" + secret + "'; exec " + String.join(" ", quoteAll(cmd));
        SandboxedJvm.Result r = denyAll().start(List.of("/bin/sh", "-c", shell)).await();
        String fds = result(r, "fds");
        assertFalse(fds.contains(secret.toString()), "the descriptor on the secret leaked: " + fds);
        assertFalse(fds.contains(".json"), "the policy file's descriptor leaked: " + fds);
    }

    /**
     * The marker (its seccomp canary, the moved option variables) reaches the re-executed JVM in a
     * pipe: its command line, which ps shows to every user and HotSpot copies into crash reports
     * and a one-step AOT child's JAVA_TOOL_OPTIONS, names only the pipe, which the JVM has emptied.
     */
    @Test
    void theMarkerTravelsInAPipeAndTheCommandLineNamesOnlyThePipe() {
        SandboxedJvm.Result r = Probes.run(denyAll().jvmOptions("-Dlandlock.mechanism=re-exec"), "cmdline", "fds");
        String cmdline = result(r, "cmdline");
        assertTrue(cmdline.matches(".* -Dlandlock\\.agent\\.exec=fd:3:[0-9]+ .*"), cmdline);
        assertFalse(cmdline.contains("v=2") || cmdline.contains("&c="), "no marker field on the command line: " + cmdline);
        assertTrue(result(r, "fds").contains("3=pipe:["), result(r, "fds"));
        assertTrue(r.stderr().contains("[landlock-agent] INFO confined by"), r.describe());
    }

    @Test
    void aSpoofedMarkerStillYieldsAConfinedJvm() {
        List<String> cmd = new ArrayList<>(denyAll().classpath(Probes.testClasses())
                .command(Probe.class.getName(), "read-finalizer", secret.toString()));
        // The marker names this very process (the shell execs java, keeping $$) and a made-up canary.
        cmd.add(1, "-Dlandlock.agent.exec=v=2&p=$$&c=4000000000000001&g=0&a=7&m=re-exec&o=spoofed&s=1.0.0.0.-3.-3.a0.3.0.1%0A%0A");
        SandboxedJvm.Result r = denyAll().start(List.of("/bin/sh", "-c", "exec " + String.join(" ", quoteAll(cmd))
                .replace("p=\\$\\$", "p=$$"))).await();
        assertDenied(r, "read-finalizer");
        assertFalse(r.stderr().contains("spoofed"), r.stderr());
        assertTrue(r.stderr().contains("[landlock-agent] INFO confined by"), r.stderr());
    }

    @Test
    void aMarkerNamingAnotherProcessIsIgnored() {
        SandboxedJvm.Result r = Probes.run(denyAll().jvmOptions(
                "-Dlandlock.agent.exec=v=2&p=1&c=4000000000000001&g=0&a=7&m=re-exec&o=spoofed&s=1.0.0.0.-3.-3.a0.3.0.1%0A%0A"),
                "read", secret.toString());
        assertDenied(r, "read " + secret);
    }

    /**
     * The re-executed JVM reads the policy again at its first denial, to explain it: if the file is
     * no longer what the first JVM enforced, the explanation would describe other rules. It keeps the
     * JDK's message instead and says why, once. (The denial is a UNIX socket's: its JDK class loads
     * after the agent, so it is always explained when it can be; a file stream opened in the first
     * 0.1 s would not be.)
     */
    @Test
    void aPolicyChangedAfterTheExecIsNotUsedToExplainDenials(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path policy = Files.writeString(dir.resolve("policy.json"), "{\"version\": 1}");
        String socket = dir.resolve("app.sock").toString();
        SandboxedJvm.Running jvm = SandboxedJvm.withPolicy(policy).jvmOptions("-Dlandlock.mechanism=re-exec")
                .classpath(Probes.testClasses()).start(Probe.class.getName(), "ready", "stdin", "unix-connect", socket);
        jvm.awaitLine("READY", Probes.awaitLimit());
        Files.writeString(policy, "{\"version\": 1, \"sockets\": [{\"domain\": \"unix\", \"type\": \"dgram\"}]}");
        jvm.process().getOutputStream().close();
        SandboxedJvm.Result r = jvm.await();
        assertDenied(r, "unix-connect");
        assertFalse(r.stdout().contains("not allowed by the landlock-agent policy"), "explained against the new file: " + r.describe());
        assertTrue(r.stderr().contains("denials will not be explained: policy " + policy + " changed after this JVM was"
                + " confined"), r.describe());
        // The same run with the file unchanged is explained.
        Files.writeString(policy, "{\"version\": 1}");
        SandboxedJvm.Result unchanged = Probes.run(SandboxedJvm.withPolicy(policy).jvmOptions("-Dlandlock.mechanism=re-exec"),
                "unix-connect", socket);
        assertTrue(unchanged.stdout().contains("socket(AF_UNIX, SOCK_STREAM, 0) is not allowed by the landlock-agent policy "
                + policy), unchanged.describe());
    }

    /**
     * {@code -cp 'lib/*'} and {@code CLASSPATH=lib/*} (Jib images, most start scripts): the
     * launcher expands the wildcard by listing the folder, and the re-executed launcher lists it
     * again, inside the domain. The folder must be listable there, or the JVM finds no main class.
     */
    @Test
    void aWildcardClassPathFindsItsJarsInTheReExecutedJvm(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        jarOfProbes(lib.resolve("probes.jar"));
        SandboxedJvm.Result option = denyAll().jvmOptions("-cp", lib + "/*").run(Probe.class.getName(), "read", secret.toString());
        assertDenied(option, "read " + secret);
        SandboxedJvm.Result relative = denyAll().workingDirectory(dir).jvmOptions("-cp", "lib/*")
                .run(Probe.class.getName(), "pid");
        assertTrue(result(relative, "pid").startsWith("RESULT pid OK"), relative.describe());
        SandboxedJvm.Result variable = denyAll().env("CLASSPATH", lib + "/*").run(Probe.class.getName(), "pid");
        assertTrue(result(variable, "pid").startsWith("RESULT pid OK"), variable.describe());
    }

    /** A jar of the probe classes, as a library folder would hold it. */
    private static void jarOfProbes(Path jar) throws IOException {
        Path classes = Probes.testClasses().toAbsolutePath();
        Path probes = classes.resolve("dev/landlockagent/it/probe");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
             java.util.stream.Stream<Path> files = Files.walk(probes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString()));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    private static List<String> quoteAll(List<String> args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            out.add("'" + a.replace("'", "'\\''").replace("$$", "'$$'") + "'");
        }
        return out;
    }
}
