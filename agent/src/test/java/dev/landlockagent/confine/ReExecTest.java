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
    private static final Marker MARKER = new Marker(77, 0x1234, 0, 7, "re-exec", null, null, "summary", List.of());

    private static CommandLine cmd(String... args) {
        List<byte[]> argv = new ArrayList<>();
        for (String a : args) {
            argv.add(a.getBytes(StandardCharsets.UTF_8));
        }
        return new CommandLine(argv);
    }

    private static List<byte[]> env(String... entries) {
        List<byte[]> e = new ArrayList<>();
        for (String s : entries) {
            e.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return e;
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
        ReExec.Request r = ReExec.prepare(cmd("java", "-javaagent:/a.jar=p.json", "-Dx=1", "Main", "arg"), JAVA, env("HOME=/h"),
                MARKER, List.of());
        List<String> argv = strings(r.argv());
        assertEquals("/jdk/bin/java", r.executable());
        assertEquals(List.of("java", "-agentlib:instrument=/a.jar=p.json", "-Dx=1"), argv.subList(0, 3));
        assertTrue(argv.get(3).startsWith(ReExec.MARKER_OPTION), argv.toString());
        assertEquals(List.of("Main", "arg"), argv.subList(4, 6));
        assertEquals(List.of("HOME=/h"), strings(r.environment()));
    }

    @Test
    void javaToolOptionsMoveToTheCommandLineAndTheMarkerCarriesThemBackForTheApplication() {
        ReExec.Request r = ReExec.prepare(cmd("java", "Main"), JAVA, env("JAVA_TOOL_OPTIONS=-Xmx1g '-Dq=a b'", "PATH=/bin"),
                MARKER, List.of());
        List<String> argv = strings(r.argv());
        assertEquals(List.of("java", "-Xmx1g", "-Dq=a b"), argv.subList(0, 3));
        assertEquals(List.of("PATH=/bin"), strings(r.environment()), "so the new JVM does not print 'Picked up' again");
        Marker carried = Marker.decode(argv.get(3).substring(ReExec.MARKER_OPTION.length()));
        assertNotNull(carried);
        assertEquals("-Xmx1g '-Dq=a b'", carried.javaToolOptions());
    }

    @Test
    void aMarkerAlreadyOnTheCommandLineIsDroppedSoAForgedOneCannotWin() {
        ReExec.Request r = ReExec.prepare(cmd("java", ReExec.MARKER_OPTION + "forged", "Main"), JAVA, env(), MARKER, List.of());
        long markers = strings(r.argv()).stream().filter(a -> a.startsWith(ReExec.MARKER_OPTION)).count();
        assertEquals(1, markers);
        assertFalse(strings(r.argv()).contains(ReExec.MARKER_OPTION + "forged"));
    }

    @Test
    void aModuleMainKeepsJavaagentBecauseTheAgentlibFormWouldNotAddJavaInstrument() {
        ReExec.Request r = ReExec.prepare(cmd("java", "-javaagent:/a.jar", "-m", "app/app.Main"), JAVA, env(), MARKER, List.of());
        assertTrue(strings(r.argv()).contains("-javaagent:/a.jar"), strings(r.argv()).toString());
    }

    @Test
    void systemdsDescriptorsAreKeptOnlyWhenListenPidNamesThisProcess() {
        assertEquals(2, ReExec.systemdListenFds(env("LISTEN_FDS=2", "LISTEN_PID=77"), 77));
        assertEquals(0, ReExec.systemdListenFds(env("LISTEN_FDS=2", "LISTEN_PID=78"), 77));
        assertEquals(0, ReExec.systemdListenFds(env("LISTEN_FDS=2"), 77));
        assertEquals(0, ReExec.systemdListenFds(env("LISTEN_FDS=lots", "LISTEN_PID=77"), 77));
    }
}
