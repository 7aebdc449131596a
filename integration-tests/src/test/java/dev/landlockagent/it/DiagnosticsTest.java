package dev.landlockagent.it;

import dev.landlockagent.it.probe.DiagnosticsApp;
import dev.landlockagent.junit.SandboxedJvm;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM's own diagnostics under a deny-all policy, each checked the same way without the agent
 * first: a GC log (and its rotation), a JFR recording, a heap dump, a crash report (named and at
 * HotSpot's default), through the command line, JAVA_TOOL_OPTIONS and an @argfile, as root and
 * as another user; and jcmd, with and without "attach": true.
 */
@RequiresLandlock(abi = 4)
class DiagnosticsTest {
    private static final String DENY_ALL = "{\"version\": 1}";

    @TempDir
    Path tmp;

    private Path folder(String name) throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path p = Files.createDirectories(tmp.resolve(name));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx")); // for the non-root case
        return p;
    }

    /** The same JVM, without the agent and then confined by {@code policy}. */
    private static List<SandboxedJvm> bothWays(String policy) {
        return List.of(SandboxedJvm.unconfined(), SandboxedJvm.withPolicyJson(policy));
    }

    private static void assertNoWarn(SandboxedJvm.Result r) {
        assertFalse(r.stderr().contains("WARN"), "nothing the operator asked for is warned about: " + r.describe());
    }

    @Test
    void aGcLogIsWrittenAndRotates() throws Exception {
        for (SandboxedJvm jvm : bothWays(DENY_ALL)) {
            Path logs = folder("logs-" + System.nanoTime());
            SandboxedJvm.Result r = jvm.classpath(Probes.testClasses())
                    .jvmOptions("-Xlog:gc*:file=" + logs + "/gc.log::filecount=3,filesize=2k")
                    .run(DiagnosticsApp.class.getName(), "gc", "40");
            assertEquals(0, r.exitCode(), r.describe());
            assertNoWarn(r);
            assertTrue(Files.readString(logs.resolve("gc.log")).contains("Pause Full (System.gc())")
                    || Files.readString(logs.resolve("gc.log.0")).contains("Pause Full"), r.describe());
            assertTrue(Files.exists(logs.resolve("gc.log.1")), "rotated in the JVM that ran main: " + list(logs));
        }
    }

    @Test
    void aJfrRecordingIsWrittenAndReadableAndTheRunLeavesNothingBehind() throws Exception {
        for (SandboxedJvm jvm : bothWays(DENY_ALL)) {
            Path out = folder("jfr-" + System.nanoTime());
            SandboxedJvm.Result r = jvm.classpath(Probes.testClasses())
                    .jvmOptions("-XX:StartFlightRecording=filename=" + out + "/app.jfr,settings=profile")
                    .run(DiagnosticsApp.class.getName(), "gc", "2");
            assertEquals(0, r.exitCode(), r.describe());
            assertNoWarn(r);
            assertFalse(RecordingFile.readAllEvents(out.resolve("app.jfr")).isEmpty());
            assertEquals(List.of(), runFolders(r), "JFR's repository and the run's folder are gone at exit");
        }
    }

    /**
     * JFR started by the application (a RecordingStream of the agent's own landlock.Denial event)
     * finds a repository under deny-all and under a policy whose working directory is writable,
     * where HotSpot's crash report needs no moving.
     */
    @Test
    void jfrStartedByTheApplicationStreamsTheDenials() throws Exception {
        Path secret = Files.writeString(folder("secret").resolve("s.txt"), "s");
        Path cwd = folder("writable-cwd");
        for (SandboxedJvm jvm : List.of(SandboxedJvm.withPolicyJson(DENY_ALL),
                SandboxedJvm.withPolicyJson("{\"version\": 1, \"filesystem\": [{\"path\": \"" + cwd
                        + "\", \"allow\": [\"read\", \"write\"]}]}").workingDirectory(cwd))) {
            SandboxedJvm.Result r = jvm.classpath(Probes.testClasses()).run(DiagnosticsApp.class.getName(), "stream", secret.toString());
            assertEquals(0, r.exitCode(), r.describe());
            // the rule names the folder above the test's generated folder name, as ${java.io.tmpdir}
            assertTrue(r.stdout().contains("STREAMED {\"path\": \"${java.io.tmpdir}\", \"allow\": [\"read\"]}"), r.describe());
            assertEquals(List.of(), runFolders(r), r.describe());
        }
    }

    @Test
    void aHeapDumpIsWrittenWhereHeapDumpPathSays() throws Exception {
        for (SandboxedJvm jvm : bothWays(DENY_ALL)) {
            Path dumps = folder("dumps-" + System.nanoTime());
            SandboxedJvm.Result r = jvm.classpath(Probes.testClasses())
                    .jvmOptions("-Xmx24m", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + dumps)
                    .run(DiagnosticsApp.class.getName(), "oom");
            assertHeapDump(dumps, r);
        }
    }

    @Test
    void aCrashReportIsWrittenWhereErrorFileSaysAndAtTheDefaultPlace() throws Exception {
        for (SandboxedJvm jvm : bothWays(DENY_ALL)) {
            Path crash = folder("crash-" + System.nanoTime());
            SandboxedJvm.Result r = jvm.classpath(Probes.testClasses())
                    .jvmOptions("-Xmx24m", "-XX:+CrashOnOutOfMemoryError", "-XX:ErrorFile=" + crash + "/hs_err_%p.log")
                    .run(DiagnosticsApp.class.getName(), "oom");
            assertTrue(r.exitCode() != 0, r.describe());
            Path report = single(crash, "hs_err_");
            assertTrue(Files.readString(report).contains("OutOfMemory encountered"), report.toString());
        }
        // HotSpot's default is the working directory: under a policy that does not allow writing
        // there, the report goes to the run's own folder, and the banner says where.
        Path cwd = folder("cwd");
        SandboxedJvm.Result confined = SandboxedJvm.withPolicyJson(DENY_ALL).classpath(Probes.testClasses()).workingDirectory(cwd)
                .jvmOptions("-Xmx24m", "-XX:+CrashOnOutOfMemoryError").run(DiagnosticsApp.class.getName(), "oom");
        String saved = savedAs(confined);
        assertTrue(saved.matches(".*/landlock-[^/]+/run-[0-9]+-[0-9a-f]+/hs_err_pid[0-9]+\\.log"), confined.describe());
        assertTrue(Files.readString(Path.of(saved)).contains("OutOfMemory encountered"), saved);
        Files.delete(Path.of(saved));
        Files.delete(Path.of(saved).getParent());
        SandboxedJvm.Result bare = SandboxedJvm.unconfined().classpath(Probes.testClasses()).workingDirectory(cwd)
                .jvmOptions("-Xmx24m", "-XX:+CrashOnOutOfMemoryError").run(DiagnosticsApp.class.getName(), "oom");
        assertEquals(cwd, Path.of(savedAs(bare)).getParent(), bare.describe());
    }

    @Test
    void flagsFromJavaToolOptionsAndArgumentFilesAreHonouredToo() throws Exception {
        for (SandboxedJvm jvm : bothWays(DENY_ALL)) {
            Path dumps = folder("tool-" + System.nanoTime());
            Path logs = folder("args-" + System.nanoTime());
            Path argFile = Files.writeString(tmp.resolve("jvm-" + System.nanoTime() + ".args"),
                    "# the operator's flags\n-Xlog:gc:file=\"" + logs + "/gc.log\"\n");
            SandboxedJvm.Result r = jvm.classpath(Probes.testClasses())
                    .env("JAVA_TOOL_OPTIONS", "-XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=" + dumps)
                    .jvmOptions("@" + argFile, "-Xmx24m")
                    .run(DiagnosticsApp.class.getName(), "oom");
            assertHeapDump(dumps, r);
            assertTrue(Files.readString(logs.resolve("gc.log")).contains("Pause"), r.describe());
        }
    }

    @Test
    void anotherUsersJvmGetsItsDiagnosticsToo() throws Exception {
        Path logs = folder("nobody-logs");
        Path dumps = folder("nobody-dumps");
        SandboxedJvm.Result r = SandboxedJvm.withPolicyJson(DENY_ALL).asUser(65534, 65534).classpath(Probes.testClasses())
                .jvmOptions("-Xlog:gc:file=" + logs + "/gc.log", "-Xmx24m", "-XX:+HeapDumpOnOutOfMemoryError",
                        "-XX:HeapDumpPath=" + dumps)
                .run(DiagnosticsApp.class.getName(), "oom");
        assertHeapDump(dumps, r);
        assertTrue(Files.readString(logs.resolve("gc.log")).contains("Pause"), r.describe());
    }

    /**
     * In a shared temporary folder another user may have made landlock-<user> first (or a link):
     * the agent never puts this run's diagnostics there, says so, and the JVM runs.
     */
    @Test
    void aDiagnosticsFolderAnotherUserMadeIsNotUsed() throws Exception {
        Path shared = folder("shared-tmp");
        Path planted = Files.createDirectories(shared.resolve("landlock-" + System.getProperty("user.name")));
        Files.setOwner(planted, planted.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        SandboxedJvm.Result r = SandboxedJvm.withPolicyJson(DENY_ALL).classpath(Probes.testClasses())
                .jvmOptions("-Djava.io.tmpdir=" + shared, "-Dlandlock.log=debug").run(DiagnosticsApp.class.getName(), "gc", "1");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("WARN cannot make this run's diagnostics folder in " + planted + " (" + planted
                + " is not a folder of this user's own; remove it)"), r.describe());
        assertFalse(r.stderr().contains("DEBUG rule " + planted), "nothing granted there: " + r.describe());
        assertEquals(List.of(), list(planted));
    }

    /** A JVM without a temporary folder to write in (a read-only container) runs without a word about it. */
    @Test
    void noTemporaryFolderIsNoNoise() throws Exception {
        SandboxedJvm.Result r = SandboxedJvm.withPolicyJson(DENY_ALL).classpath(Probes.testClasses())
                .jvmOptions("-Djava.io.tmpdir=" + tmp.resolve("missing")).run(DiagnosticsApp.class.getName(), "gc", "1");
        assertEquals(0, r.exitCode(), r.describe());
        assertFalse(r.stderr().contains("[landlock-agent] WARN"), "the JDK's own warning about it only: " + r.describe());
    }

    @Test
    void underJvmNoneAFlagThePolicyDoesNotAllowRefusesToStart() throws Exception {
        Path logs = folder("none-logs");
        SandboxedJvm.Result r = SandboxedJvm.withPolicyJson("{\"version\": 1, \"jvm\": \"none\", \"filesystem\": [{\"path\": \"/\","
                        + " \"allow\": [\"read\", \"execute\"]}, {\"path\": \"/dev/null\", \"allow\": [\"write\"]}]}")
                .classpath(Probes.testClasses()).jvmOptions("-Xlog:gc:file=" + logs + "/gc.log")
                .run(DiagnosticsApp.class.getName(), "gc", "1");
        assertEquals(78, r.exitCode(), r.describe());
        assertEquals(1, r.stderrLines().size(), r.describe());
        assertTrue(r.stderr().startsWith("landlock-agent: refusing to start: -Xlog:gc:file=" + logs + "/gc.log needs "), r.stderr());
        assertTrue(r.stderr().contains("Fix: add to \"filesystem\": {\"path\": \"" + logs + "\", \"allow\": ["), r.stderr());
    }

    @Test
    void jcmdAttachesWithTheKeyAndIsRefusedWithASayWithoutIt() throws Exception {
        Path jcmd = SandboxedJvm.java().resolveSibling("jcmd");
        // Without the key: jcmd gives up (after 3 s here), and the JVM says why, once.
        SandboxedJvm.Running refused = SandboxedJvm.withPolicyJson(DENY_ALL).classpath(Probes.testClasses())
                .start(DiagnosticsApp.class.getName(), "sleep", "60000");
        try {
            refused.awaitLine("READY", Duration.ofSeconds(30));
            Tool t = tool(jcmd.toString(), "-J-Dsun.tools.attach.attachTimeout=3000", Long.toString(refused.pid()), "VM.version");
            assertTrue(t.exit != 0 && t.output.contains("Unable to open socket file"), t.output);
        } finally {
            refused.terminate();
        }
        SandboxedJvm.Result r = refused.await();
        assertEquals(1, r.stderr().split("asked to attach", -1).length - 1, r.describe());
        assertTrue(r.stderr().contains("add \"attach\": true to the policy"), r.describe());

        // With it: jcmd's commands answer, and JFR started through it records into the run's folder.
        SandboxedJvm.Running allowed = SandboxedJvm.withPolicyJson("{\"version\": 1, \"attach\": true}")
                .classpath(Probes.testClasses()).start(DiagnosticsApp.class.getName(), "sleep", "60000");
        try {
            allowed.awaitLine("READY", Duration.ofSeconds(30));
            String pid = Long.toString(allowed.pid());
            Tool version = tool(jcmd.toString(), pid, "VM.version");
            assertTrue(version.output.contains("JDK 25"), version.output);
            Tool threads = tool(jcmd.toString(), pid, "Thread.print");
            assertTrue(threads.output.contains("Full thread dump"), threads.output);
            Tool start = tool(jcmd.toString(), pid, "JFR.start", "name=ops");
            assertTrue(start.output.contains("Started recording"), start.output);
            Path run;
            try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir"), "landlock-" + System.getProperty("user.name")))) {
                run = s.filter(p -> p.getFileName().toString().startsWith("run-" + pid + "-")).findFirst().orElseThrow();
            }
            Path dump = run.resolve("ops.jfr");
            Tool dumped = tool(jcmd.toString(), pid, "JFR.dump", "name=ops", "filename=" + dump);
            assertTrue(Files.size(dump) > 0, dumped.output);
            assertFalse(RecordingFile.readAllEvents(dump).isEmpty());
            Files.delete(dump);
        } finally {
            allowed.terminate();
        }
        SandboxedJvm.Result ok = allowed.await();
        assertFalse(ok.stderr().contains("WARN"), ok.describe());
        assertTrue(ok.stderr().contains("attach allowed"), ok.describe());
    }

    private record Tool(int exit, String output) {
    }

    private static Tool tool(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        return new Tool(p.exitValue(), out);
    }

    private static void assertHeapDump(Path dumps, SandboxedJvm.Result r) throws IOException {
        assertTrue(r.stdout().contains("Heap dump file created"), r.describe());
        Path hprof = single(dumps, "java_pid");
        byte[] head = new byte[18];
        try (var in = Files.newInputStream(hprof)) {
            assertEquals(18, in.readNBytes(head, 0, 18));
        }
        assertEquals("JAVA PROFILE 1.0.2", new String(head, StandardCharsets.US_ASCII), hprof.toString());
        assertNoWarn(r);
    }

    private static Path single(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(1, found.size(), dir + ": " + list(dir));
            return found.get(0);
        }
    }

    private static List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    /** The path after HotSpot's "An error report file with more information is saved as:". */
    private static String savedAs(SandboxedJvm.Result r) {
        List<String> lines = r.stdoutLines();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).contains("An error report file with more information is saved as:")) {
                return lines.get(i + 1).replaceFirst("^#\\s*", "").strip();
            }
        }
        throw new AssertionError("no crash report named: " + r.describe());
    }

    /** This run's diagnostics folders left in java.io.tmpdir/landlock-<user>. */
    private static List<Path> runFolders(SandboxedJvm.Result r) throws IOException {
        Path parent = Path.of(System.getProperty("java.io.tmpdir"), "landlock-" + System.getProperty("user.name"));
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        String pid = null;
        for (String l : r.stdoutLines()) {
            if (l.startsWith("PID ")) {
                pid = l.substring(4);
            }
        }
        String prefix = "run-" + pid + "-";
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
    }
}
