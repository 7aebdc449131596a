package dev.landlockagent.confine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line and environment the first JVM hands to execve for the confined one. */
class ReExecTest {
    private static final Path JAVA = Path.of("/jdk/bin/java");
    private static final ConfinementProof PROOF = new ConfinementProof(77, 0x1234, 0, 7);
    private static final StartReport REPORT = new StartReport("re-exec", "policy.json",
            new dev.landlockagent.plan.PlanSummary(1, 0, 0, 0, -3, -3, 'a', 0, 0, 0, 1, List.of(), List.of(), null, false), List.of(), "0");

    private static CommandLine cmd(String... args) {
        List<byte[]> argv = new ArrayList<>();
        for (String a : args) {
            argv.add(a.getBytes(StandardCharsets.UTF_8));
        }
        return new CommandLine(argv);
    }

    private static LaunchEnvironment env(String... entries) {
        List<byte[]> e = new ArrayList<>();
        for (String s : entries) {
            e.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return new LaunchEnvironment(e);
    }

    /** As the first JVM does: the marker carries what the environment moves for this executable. */
    private static ReExec.Request prepare(CommandLine cmd, Path executable, LaunchEnvironment env) {
        Marker marker = new Marker(PROOF, env.movedFor(executable), REPORT);
        return ReExec.prepare(cmd, executable, env, marker, List.of(), List.of(), true);
    }

    private static List<String> strings(List<byte[]> bytes) {
        List<String> s = new ArrayList<>();
        for (byte[] b : bytes) {
            s.add(new String(b, StandardCharsets.UTF_8));
        }
        return s;
    }

    @Test
    void theMarkerGoesJustBeforeTheMainClassAfterEveryLauncherOptionAndTheAgentIsLoadedAsAnAgentlib() {
        ReExec.Request r = prepare(cmd("java", "-javaagent:/a.jar=p.json", "-Dx=1", "Main", "arg"), JAVA, env("HOME=/h"));
        List<String> argv = strings(r.argv());
        assertEquals("/jdk/bin/java", r.executable());
        assertEquals(List.of("java", "-agentlib:instrument=/a.jar=p.json", "-Dx=1"), argv.subList(0, 3));
        assertTrue(argv.get(3).startsWith(ReExec.MARKER_OPTION), argv.toString());
        assertEquals(List.of("Main", "arg"), argv.subList(4, 6));
        assertEquals(List.of("HOME=/h"), strings(r.environment()));
    }

    @Test
    void javaToolOptionsMoveToTheCommandLineAndTheMarkerCarriesThemBackForTheApplication() {
        ReExec.Request r = prepare(cmd("java", "Main"), JAVA, env("JAVA_TOOL_OPTIONS=-Xmx1g '-Dq=a b'", "PATH=/bin"));
        List<String> argv = strings(r.argv());
        assertEquals(List.of("java", "-Xmx1g", "-Dq=a b"), argv.subList(0, 3));
        assertEquals(List.of("PATH=/bin"), strings(r.environment()), "so the new JVM does not print 'Picked up' again");
        assertEquals(ReExec.MARKER_OPTION, argv.get(3), "the marker itself goes through a pipe: " + argv);
        assertEquals(3, r.markerAt());
        Marker carried = Marker.decode(r.markerValue());
        assertNotNull(carried);
        assertEquals("-Xmx1g '-Dq=a b'", carried.moved().javaToolOptions());
    }

    @Test
    void aMarkerAlreadyOnTheCommandLineIsDroppedSoAForgedOneCannotWin() {
        ReExec.Request r = prepare(cmd("java", ReExec.MARKER_OPTION + "forged", "Main"), JAVA, env());
        long markers = strings(r.argv()).stream().filter(a -> a.startsWith(ReExec.MARKER_OPTION)).count();
        assertEquals(1, markers);
        assertFalse(strings(r.argv()).contains(ReExec.MARKER_OPTION + "forged"));
    }

    @Test
    void aModuleMainKeepsJavaagentBecauseTheAgentlibFormWouldNotAddJavaInstrument() {
        ReExec.Request r = prepare(cmd("java", "-javaagent:/a.jar", "-m", "app/app.Main"), JAVA, env());
        assertTrue(strings(r.argv()).contains("-javaagent:/a.jar"), strings(r.argv()).toString());
    }

    @Test
    void anAotCacheOrCdsArchiveOnTheCommandLineKeepsJavaagentSoBothJvmsHaveTheModuleGraphItWasTrainedWith() {
        for (String archive : List.of("-XX:AOTCache=app.aot", "-XX:AOTCacheOutput=app.aot", "-XX:AOTMode=record",
                "-XX:AOTConfiguration=app.aotconf", "-XX:SharedArchiveFile=app.jsa", "-XX:+AutoCreateSharedArchive")) {
            ReExec.Request r = prepare(cmd("java", archive, "-javaagent:/a.jar=p.json", "-cp", "app.jar", "Main"), JAVA, env());
            assertTrue(strings(r.argv()).contains("-javaagent:/a.jar=p.json"), archive + ": " + strings(r.argv()));
        }
        ReExec.Request fromEnvironment = prepare(cmd("java", "-javaagent:/a.jar", "Main"), JAVA,
                env("JAVA_TOOL_OPTIONS=-XX:AOTCache=app.aot"));
        assertTrue(strings(fromEnvironment.argv()).contains("-javaagent:/a.jar"), strings(fromEnvironment.argv()).toString());
        ReExec.Request asAnArgument = prepare(cmd("java", "-javaagent:/a.jar", "Main", "-XX:AOTCache=app.aot"), JAVA, env());
        assertTrue(strings(asAnArgument.argv()).contains("-agentlib:instrument=/a.jar"), "the application's argument, not an option");
    }

    @Test
    void anArchiveThisJvmCouldNotMapWasMadeWithoutTheAgentSoTheJvmThatRunsMainGetsTheAgentlibFormAndMapsIt() {
        List<String> mapping = List.of("-XX:AOTCache=app.aot", "-XX:SharedArchiveFile=app.jsa");
        for (String archive : mapping) {
            assertTrue(ReExec.keepsJavaagent(List.of(archive), true), archive);
            assertFalse(ReExec.keepsJavaagent(List.of(archive), false), archive);
        }
        assertTrue(ReExec.keepsJavaagent(List.of("-XX:AOTCacheOutput=app.aot"), false), "a training run always keeps it");
        assertFalse(ReExec.keepsJavaagent(List.of("-Xmx1g"), true), "the default CDS archive is better served by agentlib");
        CommandLine cmd = cmd("java", "-XX:AOTCache=app.aot", "-javaagent:/a.jar", "Main");
        LaunchEnvironment env = env();
        ReExec.Request r = ReExec.prepare(cmd, JAVA, env, new Marker(PROOF, env.movedFor(JAVA), REPORT), List.of(), List.of(), false);
        assertTrue(strings(r.argv()).contains("-agentlib:instrument=/a.jar"), strings(r.argv()).toString());
        assertEquals("-XX:AOTCache=app.aot", FirstJvm.unmappedArchive(List.of("-XX:AOTCache=app.aot"), false));
        assertEquals(null, FirstJvm.unmappedArchive(List.of("-XX:AOTCache=app.aot"), true));
        assertEquals(null, FirstJvm.unmappedArchive(List.of("-XX:AOTCache=app.aot", "-XX:AOTMode=off"), false));
        assertEquals(null, FirstJvm.unmappedArchive(List.of("-Xmx1g"), false));
    }

    @Test
    void onlyATrainingRunQuietsTheAotLogsWarningsOfTheClassesItLeavesOut() {
        assertEquals(List.of("-Xlog:aot=error"), ReExec.aotLogOptions(List.of("-XX:AOTCacheOutput=app.aot")));
        assertEquals(List.of("-Xlog:aot=error"), ReExec.aotLogOptions(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=c")));
        assertEquals(List.of(), ReExec.aotLogOptions(List.of("-XX:AOTCache=app.aot")));
        assertEquals(List.of(), ReExec.aotLogOptions(List.of("-XX:AOTMode=on", "-XX:AOTCache=app.aot")));
    }

    @Test
    void systemdsDescriptorsAreKeptOnlyWhenListenPidNamesThisProcess() {
        assertEquals(2, env("LISTEN_FDS=2", "LISTEN_PID=77").systemdListenFds(77));
        assertEquals(0, env("LISTEN_FDS=2", "LISTEN_PID=78").systemdListenFds(77));
        assertEquals(0, env("LISTEN_FDS=2").systemdListenFds(77));
        assertEquals(0, env("LISTEN_FDS=lots", "LISTEN_PID=77").systemdListenFds(77));
        assertEquals(2, prepare(cmd("java", "Main"), JAVA, env("LISTEN_FDS=2", "LISTEN_PID=77")).keptDescriptors());
    }

    @Test
    void jdkJavaOptionsMoveOnlyForTheJavaLauncherTheOnlyOneThatReadsThem() {
        ReExec.Request java = prepare(cmd("java", "Main"), JAVA, env("JDK_JAVA_OPTIONS=-Dj=1"));
        assertEquals(List.of("java", "-Dj=1"), strings(java.argv()).subList(0, 2));
        assertEquals(List.of(), strings(java.environment()));
        ReExec.Request other = prepare(cmd("app", "Main"), Path.of("/jdk/bin/app"), env("JDK_JAVA_OPTIONS=-Dj=1"));
        assertEquals(List.of("JDK_JAVA_OPTIONS=-Dj=1"), strings(other.environment()), "another launcher ignores it");
        assertFalse(strings(other.argv()).contains("-Dj=1"));
    }

    @Test
    void theReExecutedJvmSeesTheVariablesTheFirstOneHadForThePolicysEnvSubstitutions() {
        LaunchEnvironment first = env("PATH=/bin", "JAVA_TOOL_OPTIONS=-Da=1", "JDK_JAVA_OPTIONS=-Db=2");
        MovedOptions moved = first.movedFor(JAVA);
        LaunchEnvironment reExecuted = new LaunchEnvironment(first.without(moved));
        assertEquals(java.util.Map.of("PATH", "/bin"), reExecuted.variables());
        assertEquals(first.variables(), reExecuted.withMovedBack(moved).variables());
    }

    @Test
    void theJvmOptionsAreTheLaunchersThenJavaToolOptionsAndEveryOptionAddsJdkJavaOptions() {
        LaunchEnvironment e = env("JAVA_TOOL_OPTIONS=-Da=1", "JDK_JAVA_OPTIONS=-Db=2");
        CommandLine c = cmd("java", "-Dc=3", "-version");
        assertEquals(List.of("-Dc=3", "-version", "-Da=1"), e.jvmOptions(c));
        assertEquals(List.of("-Dc=3", "-version", "-Da=1", "-Db=2"), e.allOptions(c));
    }
}
