package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.policy.PolicyContext;
import dev.landlockagent.policy.PolicyParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which files the JVM's diagnostics flags name, and exactly the rights each gets. */
class DiagnosticFilesTest {
    @TempDir
    Path dir;

    private DiagnosticFiles of(String... options) {
        return DiagnosticFiles.of(List.of(options), dir, 4242);
    }

    private static JvmBaseline.Entry only(DiagnosticFiles d) {
        assertEquals(1, d.entries().size(), d.entries().toString());
        return d.entries().get(0);
    }

    @Test
    void aRotatingGcLogMayCreateWriteAndRemoveInItsFolderButReadNothing() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        JvmBaseline.Entry e = only(of("-Xlog:gc*:file=" + logs + "/gc-%p.log:time,uptime:filecount=5,filesize=10m"));
        assertEquals(logs, e.path());
        assertEquals(DiagnosticFiles.ROTATE, e.access());
        assertEquals(0, e.access() & (AccessFs.READ_FILE.mask() | AccessFs.READ_DIR.mask()));
        assertTrue(e.reason().startsWith("-Xlog:gc*:file="), e.reason());
    }

    @Test
    void xlogOutputsInEveryFormHotSpotTakes() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("with:colon"));
        assertEquals(logs, only(of("-Xlog:gc:file=\"" + logs + "/gc.log\"")).path(), "a quoted name may hold colons");
        assertEquals(dir, only(of("-Xlog:safepoint:sp.log")).path(), "a bare name is a file, relative to the working directory");
        assertEquals(DiagnosticFiles.WRITE_NEW, only(of("-Xlog:gc:file=gc.log::filecount=0")).access(), "no rotation, no remove");
        assertEquals(List.of(), of("-Xlog:gc", "-Xlog:gc:stdout", "-Xlog:gc:stderr:uptime", "-Xlog:disable", "-Xlog").entries());
        assertEquals(List.of(), of("-Xlog:gc:file=" + dir + "/missing/gc.log").entries(),
                "a missing folder is the JVM's own error, as without the agent");
        Path dated = only(of("-Xlog:gc:file=" + dir + "/%t/gc.log")).path();
        assertEquals(dir, dated, "a pattern in a folder: the nearest folder that exists");
        assertEquals(dir, only(of("-Xloggc:gc.log")).path());
    }

    @Test
    void heapDumpsCrashReportsAndTheVmLogGetTheirFolders() throws Exception {
        Path dumps = Files.createDirectories(dir.resolve("dumps"));
        JvmBaseline.Entry heap = only(of("-XX:HeapDumpPath=" + dir + "/old", "-XX:HeapDumpPath=" + dumps));
        assertEquals(dumps, heap.path(), "the last occurrence wins, as in HotSpot; a folder is the folder");
        assertEquals(DiagnosticFiles.HEAP_DUMP | AccessFs.READ_DIR.mask(), heap.access(), "HotSpot opens a folder to know it is one");
        assertEquals(dumps, only(of("-XX:HeapDumpPath=" + dumps + "/heap-%p.hprof")).path());
        assertEquals(DiagnosticFiles.HEAP_DUMP, only(of("-XX:HeapDumpPath=" + dumps + "/heap-%p.hprof")).access());
        assertEquals(dumps, only(of("-XX:ErrorFile=" + dumps + "/hs_err_%p.log")).path());
        assertEquals(DiagnosticFiles.CRASH_REPORT, only(of("-XX:ErrorFile=" + dumps + "/hs_err_%p.log")).access(), "opened O_RDWR");
        assertEquals(dumps, only(of("-XX:ReplayDataFile=" + dumps + "/replay_%p.log")).path());
        assertEquals(dumps, only(of("-XX:LogFile=" + dumps + "/vm.log")).path());
    }

    @Test
    void jfrRecordingsAndANamedRepository() throws Exception {
        Path rec = Files.createDirectories(dir.resolve("rec"));
        DiagnosticFiles d = of("-XX:StartFlightRecording:filename=" + rec + "/app.jfr,settings=profile",
                "-XX:FlightRecorderOptions=stackdepth=128,repository=" + dir.resolve("repo"));
        assertEquals(2, d.entries().size(), d.entries().toString());
        assertEquals(rec, d.entries().get(0).path());
        assertEquals(DiagnosticFiles.RECORDING, d.entries().get(0).access());
        assertEquals(dir.resolve("repo"), d.entries().get(1).path());
        assertEquals(DiagnosticFiles.REPOSITORY, d.entries().get(1).access());
        assertEquals(dir.resolve("repo"), d.repository(), "the first JVM makes it, as JFR would");
        assertNull(d.defaults().recorderOptions(), "a named repository needs no folder of the agent's");
    }

    @Test
    void archivesAreReadOnly() throws Exception {
        Path aot = Files.writeString(dir.resolve("app.aot"), "x");
        Path a = Files.writeString(dir.resolve("a.jsa"), "x");
        Path b = Files.writeString(dir.resolve("b.jsa"), "x");
        DiagnosticFiles d = of("-XX:AOTCache=" + aot, "-XX:SharedArchiveFile=" + a + ":" + b);
        assertEquals(List.of(aot, a, b), d.entries().stream().map(JvmBaseline.Entry::path).toList());
        for (JvmBaseline.Entry e : d.entries()) {
            assertEquals(AccessFs.READ_FILE.mask(), e.access());
        }
    }

    @Test
    void hotSpotsDefaultsGoToTheRunsFolderOnlyWhereTheWorkingDirectoryDoesNotAllowThem() {
        DiagnosticFiles d = of("-XX:+HeapDumpOnOutOfMemoryError", "-XX:StartFlightRecording", "-XX:FlightRecorderOptions=stackdepth=96");
        assertTrue(d.defaults().errorFile() && d.defaults().heapDump());
        assertEquals("stackdepth=96", d.defaults().recorderOptions());
        Path run = dir.resolve("landlock-u").resolve("run-1");
        DiagnosticFiles moved = d.withRunFolder(run, 0, true);
        assertEquals(List.of("-Dlandlock.diagnostics.folder=" + run, "-XX:ErrorFile=" + run + "/hs_err_pid%p.log",
                "-XX:HeapDumpPath=" + run, "-XX:FlightRecorderOptions=stackdepth=96,repository=" + run), moved.options());
        JvmBaseline.Entry folder = moved.entries().get(0);
        assertEquals(run, folder.path());
        assertEquals(DiagnosticFiles.REPOSITORY, folder.access());
        assertEquals(AccessFs.REMOVE_DIR.mask(), moved.entries().get(1).access(), "to remove the empty folder at exit");

        long writableCwd = DiagnosticFiles.HEAP_DUMP | DiagnosticFiles.CRASH_REPORT;
        DiagnosticFiles crashOnly = of("-XX:+HeapDumpOnOutOfMemoryError");
        assertTrue(crashOnly.needsRunFolder(writableCwd, true), "JFR may start later, and needs a repository");
        assertEquals(List.of("-Dlandlock.diagnostics.folder=" + run), crashOnly.withRunFolder(run, writableCwd, true).options(),
                "HotSpot's own defaults work in that working directory");
        assertEquals(List.of("-Dlandlock.diagnostics.folder=" + run, "-XX:ErrorFile=" + run + "/hs_err_pid%p.log"),
                of().withRunFolder(run, 0, true).options());
    }

    @Test
    void onTheTsyncPathOnlyJfrsRepositoryMoves() {
        Path run = dir.resolve("landlock-u").resolve("run-1");
        DiagnosticFiles d = of("-XX:+HeapDumpOnOutOfMemoryError", "-XX:StartFlightRecording");
        assertTrue(d.needsRunFolder(0, false));
        DiagnosticFiles moved = d.withRunFolder(run, 0, false);
        assertEquals(List.of(), moved.options(), "the command line has run");
        assertEquals(run, moved.entries().get(0).path());
        assertFalse(of("-XX:+HeapDumpOnOutOfMemoryError", "-XX:FlightRecorderOptions=repository=" + dir).needsRunFolder(0, false),
                "nothing the JVM can still move, and JFR has its repository");
        assertTrue(of().needsRunFolder(0, false), "JFR started later");
    }

    @Test
    void operatorsChoicesAreKept() throws Exception {
        Path dumps = Files.createDirectories(dir.resolve("dumps"));
        DiagnosticFiles d = of("-XX:ErrorFile=" + dumps + "/e.log", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + dumps);
        Path run = dir.resolve("landlock-u").resolve("run-1");
        assertEquals(List.of("-Dlandlock.diagnostics.folder=" + run), d.withRunFolder(run, 0, true).options(),
                "the operator's crash report and heap dump places stay; the folder is for JFR's repository");
        assertFalse(of("-XX:+HeapDumpOnOutOfMemoryError", "-XX:-HeapDumpOnOutOfMemoryError", "-XX:ErrorFile=x",
                "-XX:FlightRecorderOptions=repository=" + dumps).needsRunFolder(0, true), "JFR uses the named repository");
    }

    @Test
    void jvmNoneTurnsItAllOff() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        JvmFacts facts = new JvmFacts(dir.resolve("jdk"), null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), null, dir, "user", of("-Xlog:gc:file=" + logs + "/gc.log"));
        PolicyContext ctx = PolicyContext.of(Path.of("/opt/jdk"), Path.of("/tmp"), Path.of("/home/u"), dir, null, dir, Map.of());
        RulesetPlan auto = Planner.plan(PolicyParser.parse("{\"version\": 1}".getBytes(StandardCharsets.UTF_8), "p", ctx),
                KernelInfo.of(7), facts);
        assertEquals(DiagnosticFiles.ROTATE, auto.grantedAt(logs.resolve("gc.log")) & DiagnosticFiles.ROTATE);
        RulesetPlan none = Planner.plan(PolicyParser.parse("{\"version\": 1, \"jvm\": \"none\"}".getBytes(StandardCharsets.UTF_8),
                "p", ctx), KernelInfo.of(7), facts);
        assertEquals(0, none.grantedAt(logs.resolve("gc.log")));
    }
}
