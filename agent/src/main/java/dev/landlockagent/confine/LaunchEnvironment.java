package dev.landlockagent.confine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment this process was started with ({@code /proc/self/environ}), read once, and what
 * the agent takes from it: the JVM options in {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS}
 * and systemd's socket-activation descriptors. The java launcher does not change its own
 * environment on Linux; what it derives from its arguments, the re-executed launcher derives again.
 */
final class LaunchEnvironment {
    static final String JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";
    static final String JDK_JAVA_OPTIONS = "JDK_JAVA_OPTIONS";

    private final List<byte[]> entries;
    private final Map<String, String> variables;
    private final String javaToolOptions;
    private final String jdkJavaOptions;

    /** @param entries each {@code NAME=value}, as raw bytes */
    LaunchEnvironment(List<byte[]> entries) {
        this.entries = List.copyOf(entries);
        Map<String, String> m = new LinkedHashMap<>();
        for (byte[] entry : entries) {
            String s = new String(entry, StandardCharsets.UTF_8);
            int eq = s.indexOf('=', 1);
            if (eq > 0) {
                m.putIfAbsent(s.substring(0, eq), s.substring(eq + 1));
            }
        }
        this.variables = Map.copyOf(m);
        this.javaToolOptions = variables.get(JAVA_TOOL_OPTIONS);
        this.jdkJavaOptions = variables.get(JDK_JAVA_OPTIONS);
    }

    static LaunchEnvironment ofThisProcess() throws StartupFailure {
        return new LaunchEnvironment(ThisJvm.environment());
    }

    List<byte[]> entries() {
        return entries;
    }

    /**
     * The environment of the re-executed JVM as the first JVM had it: this one's, with the option
     * variables the re-exec moved to the command line put back.
     */
    LaunchEnvironment withMovedBack(MovedOptions moved) {
        List<byte[]> all = new ArrayList<>(without(moved));
        for (Map.Entry<String, String> v : moved.variables().entrySet()) {
            all.add((v.getKey() + "=" + v.getValue()).getBytes(StandardCharsets.UTF_8));
        }
        return new LaunchEnvironment(all);
    }

    /** The variables by name, as {@code System.getenv()} gives them (the first of a repeated name). */
    Map<String, String> variables() {
        return variables;
    }

    /** The entries, without the variables {@code moved} to the command line. */
    List<byte[]> without(MovedOptions moved) {
        byte[] jto = (JAVA_TOOL_OPTIONS + "=").getBytes(StandardCharsets.UTF_8);
        byte[] jdo = (JDK_JAVA_OPTIONS + "=").getBytes(StandardCharsets.UTF_8);
        List<byte[]> kept = new ArrayList<>(entries.size());
        for (byte[] entry : entries) {
            if (moved.javaToolOptions() != null && startsWith(entry, jto)
                    || moved.jdkJavaOptions() != null && startsWith(entry, jdo)) {
                continue;
            }
            kept.add(entry);
        }
        return List.copyOf(kept);
    }

    /** The JVM's options: the launcher's, then JAVA_TOOL_OPTIONS' (what HotSpot itself reads). */
    List<String> jvmOptions(CommandLine cmd) {
        List<String> options = new ArrayList<>(cmd.launcherOptions());
        if (javaToolOptions != null) {
            options.addAll(CommandLine.splitOptions(javaToolOptions));
        }
        return options;
    }

    /** Every option that configures the JVM: the launcher's, JAVA_TOOL_OPTIONS' and JDK_JAVA_OPTIONS'. */
    List<String> allOptions(CommandLine cmd) {
        List<String> options = jvmOptions(cmd);
        if (jdkJavaOptions != null) {
            options.addAll(CommandLine.splitOptions(jdkJavaOptions));
        }
        return options;
    }

    /**
     * What the re-exec moves from the environment to the command line, so that the new JVM does
     * not print "Picked up ..." a second time: JAVA_TOOL_OPTIONS, and JDK_JAVA_OPTIONS where the
     * executable is the java launcher (the only one that reads it).
     */
    MovedOptions movedFor(Path executable) {
        return new MovedOptions(javaToolOptions, ReExec.isJavaLauncher(executable) ? jdkJavaOptions : null);
    }

    /**
     * How many descriptors from 3 up systemd's socket activation passed to this process
     * (sd_listen_fds(3): LISTEN_FDS, when LISTEN_PID names this process); 0 for none.
     */
    int systemdListenFds(long pid) {
        String fds = variables.get("LISTEN_FDS");
        String listenPid = variables.get("LISTEN_PID");
        if (fds == null || listenPid == null || !listenPid.strip().equals(Long.toString(pid))) {
            return 0;
        }
        try {
            int n = Integer.parseInt(fds.strip());
            return n < 0 || n > 1024 ? 0 : n;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean startsWith(byte[] entry, byte[] prefix) {
        if (entry.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (entry[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
