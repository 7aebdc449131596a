package dev.landlockagent.confine;

import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The re-exec path (Landlock ABI below 8): the main thread restricts itself, then replaces the
 * process with the same JVM and command line. The new JVM is born inside the domain, so every
 * thread it ever has (Finalizer, Signal Dispatcher, Attach Listener, shutdown hooks ...) is
 * confined. PID, standard streams, exit status and signals are those of the original process.
 *
 * <p>Everything is read before restricting ({@link #prepare}); {@link #exec} only closes
 * descriptors and calls execve.
 */
public final class ReExec {
    static final String MARKER_OPTION = "-D" + Marker.PROPERTY + "=";

    private ReExec() {
    }

    /**
     * What execve receives, and how many systemd-activated descriptors (from 3 up) to keep; the
     * marker goes through a pipe ({@link MarkerPipe}), and {@code argv[markerAt]} is where its
     * reference goes.
     */
    public record Request(String executable, List<byte[]> argv, List<byte[]> environment, int keptDescriptors,
                          byte[] marker, int markerAt) {
        /** The marker, as the re-executed JVM will read it. */
        public String markerValue() {
            return new String(marker, StandardCharsets.UTF_8);
        }
    }

    /**
     * Builds the new command line: the marker first, then the contents of the option variables the
     * marker says were moved out of the environment ({@link MovedOptions}, in their order of
     * precedence), then the original arguments. {@code -javaagent:X} becomes
     * {@code -agentlib:instrument=X}, which loads the same agent but lets CDS keep its archived
     * module graph (~35 ms per start, measured); not for {@code -m} or {@code --limit-modules},
     * where java.instrument must be added explicitly, nor where the user's AOT cache or CDS archive
     * needs it ({@link #keepsJavaagent}). {@code jvmOptions} come before all of that,
     * so that the user's own options, later, win; {@code lastOptions} come after every launcher
     * option, next to the marker, where they win over the user's (each carries the user's value
     * of its flag within it). {@code archiveMapped}: whether this JVM mapped the archive its
     * command line names ({@link #keepsJavaagent}).
     */
    public static Request prepare(CommandLine cmd, Path executable, LaunchEnvironment environment, Marker marker,
                                  List<String> jvmOptions, List<String> lastOptions, boolean archiveMapped) {
        MovedOptions moved = marker.moved();
        List<String> extra = new ArrayList<>();
        if (moved.javaToolOptions() != null) {
            extra.addAll(CommandLine.splitOptions(moved.javaToolOptions()));
        }
        if (moved.jdkJavaOptions() != null) {
            extra.addAll(CommandLine.splitOptions(moved.jdkJavaOptions()));
        }
        boolean rewriteAgents = !cmd.moduleMain() && !cmd.limitsModules();
        for (String o : extra) {
            rewriteAgents &= !o.startsWith("--limit-modules");
        }
        List<String> options = new ArrayList<>(cmd.args().subList(1, cmd.firstAppArg()));
        options.addAll(extra);
        rewriteAgents &= !keepsJavaagent(options, archiveMapped);

        // The new marker goes after every launcher option (the last -D wins), and markers already on
        // the command line are dropped: a stale or forged one must not override it.
        byte[] markerOption = bytes(MARKER_OPTION); // its reference is written in by exec()
        int markerAt = cmd.mainIndex() > 0 ? cmd.mainIndex() : 1;
        List<byte[]> argv = new ArrayList<>();
        argv.add(cmd.argv().get(0));
        for (String o : jvmOptions) {
            argv.add(bytes(o));
        }
        for (String o : extra) {
            if (!o.startsWith(MARKER_OPTION)) {
                argv.add(bytes(rewriteAgents ? rewriteAgent(o) : o));
            }
        }
        if (markerAt == 1) {
            for (String o : lastOptions) {
                argv.add(bytes(o));
            }
            argv.add(markerOption);
        }
        for (int i = 1; i < cmd.argv().size(); i++) {
            boolean option = i < cmd.firstAppArg();
            if (i == markerAt && markerAt > 1) {
                for (String o : lastOptions) {
                    argv.add(bytes(o));
                }
                argv.add(markerOption);
            }
            if (option && cmd.args().get(i).startsWith(MARKER_OPTION)) {
                continue;
            }
            argv.add(option && rewriteAgents ? bytes(rewriteAgent(cmd.args().get(i))) : cmd.argv().get(i));
        }
        return new Request(executable.toString(), List.copyOf(argv), environment.without(moved),
                environment.systemdListenFds(marker.proof().pid()), bytes(marker.encode()), argv.indexOf(markerOption));
    }

    /**
     * HotSpot saves the working directory with {@code open(".")} before it creates the perf-data
     * file in {@code /tmp/hsperfdata_<user>}, {@code fchdir}s there, and goes back only if that open
     * worked. A JVM born inside a domain that may not list its working directory would stay in the
     * hsperfdata folder: user.dir, relative paths and child processes would all be wrong (seen
     * here). So, unless the user chose the perf-data flags, the re-executed JVM keeps its perf
     * counters in memory ({@code -XX:+PerfDisableSharedMem}): jps and jstat do not list it.
     */
    static List<String> perfDataOptions(List<String> jvmOptions, boolean workingDirectoryListable) {
        if (workingDirectoryListable) {
            return List.of();
        }
        for (String o : jvmOptions) {
            if (o.contains("UsePerfData") || o.contains("PerfDisableSharedMem")) {
                return List.of(); // the user's choice
            }
        }
        return List.of("-XX:+PerfDisableSharedMem");
    }

    /**
     * A training run ({@code -XX:AOTCacheOutput}, {@code -XX:AOTMode=record}) warns, when it writes
     * its configuration, of every class it leaves out of the cache: the JDK classes the agent
     * instruments ("From ClassFileLoadHook", "Has been redefined"), the agent's own, and JFR's event
     * classes, some 25 lines no user can act on. The re-executed JVM keeps the {@code aot} log's
     * errors only; the user's own {@code -Xlog:aot...}, later on the command line, wins.
     */
    static List<String> aotLogOptions(List<String> jvmOptions) {
        for (String o : jvmOptions) {
            if (o.startsWith("-XX:AOTCacheOutput=") || o.equals("-XX:AOTMode=record")) {
                return List.of("-Xlog:aot=error");
            }
        }
        return List.of();
    }

    /**
     * Removes HotSpot's perf-data file of this process, {@code <folder>/<pid>}
     * ({@link dev.landlockagent.plan.JvmFacts#perfDataFolder()}): a JVM removes it at exit, and an
     * exec is no exit, so the first JVM removes its own before it re-executes. The re-executed JVM
     * (same PID) makes its own, unless its perf counters stay in memory ({@link #perfDataOptions}).
     */
    static void removePerfDataFile(Path folder, long pid) {
        try {
            Files.deleteIfExists(folder.resolve(Long.toString(pid)));
        } catch (java.io.IOException | RuntimeException e) {
            // not ours to remove (another user's folder), or already gone: jps may list a stale entry
        }
    }

    /**
     * Whether the second JVM keeps {@code -javaagent} rather than {@code -agentlib:instrument}. An
     * AOT cache or CDS archive records the module graph it was made with, and {@code -javaagent}
     * adds java.instrument to it ({@code jdk.module.addmods}). A training run
     * ({@code -XX:AOTCacheOutput}, {@code -XX:AOTMode=record}, ...) keeps it, so that the cache
     * matches the user's command line, which has {@code -javaagent}: then both JVMs map it. A run
     * that maps an archive ({@code -XX:AOTCache}, {@code -XX:SharedArchiveFile}) keeps it only if
     * this JVM, which has {@code -javaagent}, mapped the archive; one made without the agent maps
     * only without it, so the second JVM, which runs {@code main}, gets the agentlib form and the
     * archive (docs/performance.md, "AOT cache and CDS archives"). Otherwise the agentlib form lets
     * the default CDS archive keep its archived module graph.
     */
    static boolean keepsJavaagent(List<String> options, boolean archiveMapped) {
        boolean maps = false;
        for (String o : options) {
            if (trains(o)) {
                return true;
            }
            maps |= maps(o);
        }
        return maps && archiveMapped;
    }

    /** An option that makes an AOT cache or CDS archive. */
    static boolean trains(String option) {
        return option.startsWith("-XX:AOTCacheOutput=") || option.equals("-XX:AOTMode=record")
                || option.startsWith("-XX:AOTConfiguration=") || option.startsWith("-XX:ArchiveClassesAtExit=")
                || option.equals("-XX:+AutoCreateSharedArchive");
    }

    /** An option that names an AOT cache or CDS archive to map. */
    static boolean maps(String option) {
        return option.startsWith("-XX:AOTCache=") || option.startsWith("-XX:SharedArchiveFile=");
    }

    private static String rewriteAgent(String option) {
        return option.startsWith("-javaagent:") ? "-agentlib:instrument=" + option.substring("-javaagent:".length()) : option;
    }

    static boolean isJavaLauncher(Path executable) {
        Path name = executable.getFileName();
        return name != null && name.toString().equals("java");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Hands the marker over in a pipe at the first descriptor after systemd's LISTEN_FDS
     * ({@link MarkerPipe}), marks every descriptor above it close-on-exec, so that nothing the
     * first JVM opened, before it was confined, reaches the confined one; then execve. Returns only
     * by throwing.
     */
    public static void exec(Request request, Syscalls sys) throws StartupFailure {
        int markerFd = 3 + request.keptDescriptors();
        List<byte[]> argv = new ArrayList<>(request.argv());
        argv.set(request.markerAt(), bytes(MARKER_OPTION + MarkerPipe.hand(sys, request.marker(), markerFd)));
        int first = markerFd + 1;
        try {
            sys.closeOnExecFrom(first);
        } catch (SyscallException e) {
            closeOnExecOneByOne(sys, first);
        }
        try {
            sys.execve(request.executable(), argv, request.environment());
        } catch (SyscallException e) {
            throw new StartupFailure("cannot re-execute the JVM (" + request.executable() + ") inside the Landlock domain: "
                    + e.getMessage(), e);
        }
        throw new StartupFailure("execve of " + request.executable() + " returned");
    }

    /** Before Linux 5.11 there is no close_range: list /proc/self/fd instead. */
    private static void closeOnExecOneByOne(Syscalls sys, int first) throws StartupFailure {
        for (int fd : ThisJvm.openDescriptors()) {
            if (fd >= first) {
                try {
                    sys.setCloseOnExec(fd);
                } catch (SyscallException e) {
                    // the directory stream's own descriptor is already closed: EBADF is expected
                }
            }
        }
    }
}
