package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessFs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files the JVM's own diagnostics flags name, and the rights each needs: the operator's
 * command line is as trusted as the class path, so the JVM baseline grants what the flags ask for
 * and no more (docs/policy.md, "The JVM's diagnostics flags"). HotSpot opens these in the JVM that
 * runs {@code main}, which on the re-exec path is born inside the domain.
 *
 * <p>Rights go on the folder a file is made in, since Landlock can only name what exists: a log
 * that rotates needs to create, write and remove files there, not to read them; a heap dump is
 * written in parts that are read back and removed. Read-only archives get read_file on
 * themselves.
 *
 * <p>Where HotSpot would write by default, the working directory and then /tmp, and the policy
 * does not allow it, the re-exec path points the JVM that runs {@code main} at a folder of this
 * run's own ({@link #withRunFolder}): crash reports, heap dumps and JFR's repository land there
 * instead of being lost, and no confined JVM can read what another run left.
 *
 * @param entries  the grants, each with the flag it comes from
 * @param defaults what HotSpot would write where it chooses: the crash report (unless
 *                 {@code -XX:ErrorFile}), the heap dump (with {@code -XX:+HeapDumpOnOutOfMemoryError}
 *                 and no {@code -XX:HeapDumpPath}), JFR's repository (JFR on, no {@code repository})
 * @param options  the options that point the JVM that runs {@code main} at the run's folder
 * @param repository the JFR repository the operator named ({@code -XX:FlightRecorderOptions}), or null
 */
public record DiagnosticFiles(List<JvmBaseline.Entry> entries, Defaults defaults, List<String> options, Path repository) {
    public static final DiagnosticFiles NONE = new DiagnosticFiles(List.of(), new Defaults(false, false, null), List.of(), null);

    /**
     * @param errorFile       the crash report goes to HotSpot's default place
     * @param heapDump        a heap dump on OutOfMemoryError goes to the working directory
     * @param recorderOptions JFR runs with its default repository: the operator's
     *                        {@code -XX:FlightRecorderOptions} value ("" for none); null when not
     */
    public record Defaults(boolean errorFile, boolean heapDump, String recorderOptions) {
    }

    /** The reason of an archive's entry ({@code -XX:AOTCache}, {@code -XX:SharedArchiveFile}). */
    private static final String MAPPED = ": the archive the JVM maps at start";

    /** Names the run's diagnostics folder to the JVM that runs {@code main}, which removes it at exit if empty. */
    public static final String RUN_FOLDER_PROPERTY = "landlock.diagnostics.folder";

    static final long WRITE_NEW = AccessFs.MAKE_REG.mask() | AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask();
    static final long ROTATE = WRITE_NEW | AccessFs.REMOVE_FILE.mask();
    /** HotSpot opens a crash report (and replay data) O_RDWR | O_CREAT. */
    static final long CRASH_REPORT = WRITE_NEW | AccessFs.READ_FILE.mask();
    static final long HEAP_DUMP = WRITE_NEW | AccessFs.READ_FILE.mask() | AccessFs.REMOVE_FILE.mask();
    static final long RECORDING = WRITE_NEW | AccessFs.READ_FILE.mask() | AccessFs.REMOVE_FILE.mask();
    static final long REPOSITORY = RECORDING | AccessFs.READ_DIR.mask() | AccessFs.MAKE_DIR.mask()
            | AccessFs.REMOVE_DIR.mask();

    /**
     * @param options      the JVM's options in HotSpot's order of precedence (later wins):
     *                     JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, the command line with its
     *                     {@code @argfiles} expanded
     * @param workingDir   where relative paths start, and where HotSpot writes by default
     * @param pid          for {@code %p}
     */
    public static DiagnosticFiles of(List<String> options, Path workingDir, long pid) {
        List<JvmBaseline.Entry> out = new ArrayList<>();
        String heapDumpPath = null;
        String errorFile = null;
        String replayFile = null;
        String logFile = null;
        String recorderOptions = null;
        String aotCache = null;
        String sharedArchives = null;
        boolean jfr = false;
        boolean heapDumpOnOom = false;
        for (String o : options) {
            if (o.startsWith("-Xlog:")) {
                xlog(o, workingDir, pid, out);
            } else if (o.startsWith("-Xloggc:")) {
                file(out, o, o.substring("-Xloggc:".length()), workingDir, pid, ROTATE,
                        "the GC log: create, write and rotate it in its folder");
            } else if (o.startsWith("-XX:StartFlightRecording")) {
                jfr = true;
                String filename = suboption(value(o, "-XX:StartFlightRecording"), "filename");
                if (filename != null) {
                    file(out, o, filename, workingDir, pid, RECORDING,
                            "the recording JFR writes at its end: create it, write it and read it back, in its folder");
                }
            } else if (o.equals("-XX:+FlightRecorder")) {
                jfr = true;
            } else if (o.startsWith("-XX:FlightRecorderOptions")) {
                recorderOptions = value(o, "-XX:FlightRecorderOptions");
            } else if (o.equals("-XX:+HeapDumpOnOutOfMemoryError") || o.equals("-XX:-HeapDumpOnOutOfMemoryError")) {
                heapDumpOnOom = o.charAt(4) == '+';
            } else if (o.startsWith("-XX:HeapDumpPath=")) {
                heapDumpPath = o;
            } else if (o.startsWith("-XX:ErrorFile=")) {
                errorFile = o;
            } else if (o.startsWith("-XX:ReplayDataFile=")) {
                replayFile = o;
            } else if (o.startsWith("-XX:LogFile=")) {
                logFile = o;
            } else if (o.startsWith("-XX:AOTCache=")) {
                aotCache = o;
            } else if (o.startsWith("-XX:SharedArchiveFile=")) {
                sharedArchives = o;
            }
        }
        if (heapDumpPath != null) {
            String v = after(heapDumpPath);
            Path p = resolve(workingDir, expand(v, pid));
            boolean isFolder = Files.isDirectory(p);
            Path folder = isFolder ? p : existingParent(p);
            if (folder != null) {
                // HotSpot opens a folder (opendir) to tell it from a file name, then names the dump java_pid<pid>.hprof.
                out.add(new JvmBaseline.Entry(folder, isFolder ? HEAP_DUMP | AccessFs.READ_DIR.mask() : HEAP_DUMP, heapDumpPath
                        + ": the heap dump, written in parts that are read back, merged and removed"));
            }
        }
        if (errorFile != null) {
            file(out, errorFile, after(errorFile), workingDir, pid, CRASH_REPORT, "the crash report");
        }
        if (replayFile != null) {
            file(out, replayFile, after(replayFile), workingDir, pid, CRASH_REPORT, "the JIT compiler's replay data after a crash");
        }
        if (logFile != null) {
            file(out, logFile, after(logFile), workingDir, pid, WRITE_NEW, "the VM's output log");
        }
        if (aotCache != null) {
            archive(out, aotCache, after(aotCache), workingDir);
        }
        if (sharedArchives != null) {
            for (String a : after(sharedArchives).split(java.io.File.pathSeparator)) {
                archive(out, sharedArchives, a, workingDir);
            }
        }
        String repository = recorderOptions == null ? null : suboption(recorderOptions, "repository");
        Path named = repository == null ? null : resolve(workingDir, repository);
        if (named != null) {
            out.add(new JvmBaseline.Entry(named, REPOSITORY, "-XX:FlightRecorderOptions repository=" + repository
                    + ": JFR's repository, the folder of this run's chunk files (the agent creates it if missing)"));
        }
        Defaults defaults = new Defaults(errorFile == null, heapDumpOnOom && heapDumpPath == null,
                jfr && repository == null ? (recorderOptions == null ? "" : recorderOptions) : null);
        return new DiagnosticFiles(List.copyOf(out), defaults, List.of(), named);
    }

    /**
     * Where this run writes what HotSpot and JFR would write by default, when the working
     * directory does not allow it: {@code folder}, made by the first JVM for this run alone. Its
     * rights are those of a JFR repository: JFR may start at any time (by the flags, by
     * {@code jcmd JFR.start}, or by the application's {@code jdk.jfr.Recording} and
     * {@code RecordingStream}) and keeps its repository there, unless the operator named one; only
     * this run ever had the folder, so it holds nothing of another. The parent may remove it,
     * empty, at exit.
     *
     * <p>Where the JVM that runs {@code main} is this one (the TSYNC path), its flags are read
     * already: only JFR's repository can move (JFR reads its default when it starts, after the
     * agent), and the caller sets {@link #RUN_FOLDER_PROPERTY} itself; crash reports and heap
     * dumps stay at HotSpot's defaults.
     *
     * @param cwdAccess what the plan allows in the working directory, where HotSpot writes first
     * @param reExec    the JVM that runs {@code main} is yet to start, with {@link #options()}
     */
    /** The option an entry of these comes from: its reason up to the first ": ". */
    public static String flag(JvmBaseline.Entry e) {
        return e.reason().substring(0, e.reason().indexOf(": "));
    }

    /** The AOT caches and CDS archives the command line names, which the JVM maps at start (read only). */
    public List<JvmBaseline.Entry> mappedArchives() {
        List<JvmBaseline.Entry> archives = new ArrayList<>();
        for (JvmBaseline.Entry e : entries) {
            if (e.reason().endsWith(MAPPED)) {
                archives.add(e);
            }
        }
        return archives;
    }

    public DiagnosticFiles withRunFolder(Path folder, long cwdAccess, boolean reExec) {
        if (!needsRunFolder(cwdAccess, reExec)) {
            return this;
        }
        List<String> opts = new ArrayList<>();
        if (reExec) { // a command line that has run takes no more options
            opts.add("-D" + RUN_FOLDER_PROPERTY + "=" + folder);
            if (movesErrorFile(cwdAccess)) {
                opts.add("-XX:ErrorFile=" + folder.resolve("hs_err_pid%p.log"));
            }
            if (movesHeapDump(cwdAccess)) {
                opts.add("-XX:HeapDumpPath=" + folder);
            }
            if (defaults.recorderOptions() != null) {
                opts.add("-XX:FlightRecorderOptions=" + (defaults.recorderOptions().isEmpty() ? "" : defaults.recorderOptions() + ",")
                        + "repository=" + folder);
            }
        }
        List<JvmBaseline.Entry> all = new ArrayList<>(entries);
        all.add(new JvmBaseline.Entry(folder, REPOSITORY, "this run's diagnostics folder ("
                + (reExec ? String.join(" ", opts) : "JFR's default repository") + "): crash reports, heap dumps and"
                + " JFR's repository, where HotSpot's defaults are not allowed"));
        all.add(new JvmBaseline.Entry(folder.getParent(), AccessFs.REMOVE_DIR.mask(),
                "the agent removes this run's diagnostics folder at exit when nothing was written to it"));
        return new DiagnosticFiles(List.copyOf(all), defaults, List.copyOf(opts), repository);
    }

    /** Whether {@link #withRunFolder} would use a folder, for a working directory that allows {@code cwdAccess}. */
    public boolean needsRunFolder(long cwdAccess, boolean reExec) {
        return reExec && (movesErrorFile(cwdAccess) || movesHeapDump(cwdAccess)) || repository == null;
    }

    /** HotSpot would write the crash report where the working directory does not allow it. */
    private boolean movesErrorFile(long cwdAccess) {
        return defaults.errorFile() && (cwdAccess & CRASH_REPORT) != CRASH_REPORT;
    }

    /** HotSpot would write the heap dump where the working directory does not allow it. */
    private boolean movesHeapDump(long cwdAccess) {
        return defaults.heapDump() && (cwdAccess & HEAP_DUMP) != HEAP_DUMP;
    }

    /** {@code -Xlog:what:output:decorators:options}: each file output, with rotation unless {@code filecount=0}. */
    private static void xlog(String option, Path workingDir, long pid, List<JvmBaseline.Entry> out) {
        List<String> parts = splitOutsideQuotes(option.substring("-Xlog:".length()), ':');
        if (parts.size() < 2) {
            return; // to stdout
        }
        String output = parts.get(1);
        if (output.isEmpty() || output.equals("stdout") || output.equals("stderr")) {
            return;
        }
        String file = unquote(output.startsWith("file=") ? output.substring("file=".length()) : output);
        boolean rotates = parts.size() < 4 || !parts.get(3).matches("(.*,)?filecount=0(,.*)?");
        file(out, option, file, workingDir, pid, rotates ? ROTATE : WRITE_NEW,
                rotates ? "the log file: create, write and rotate it in its folder" : "the log file: create and write it");
    }

    private static void file(List<JvmBaseline.Entry> out, String option, String file, Path workingDir, long pid,
                             long access, String why) {
        if (file.isEmpty()) {
            return;
        }
        Path folder = existingParent(resolve(workingDir, expand(file, pid)));
        if (folder != null) {
            out.add(new JvmBaseline.Entry(folder, access, option + ": " + why));
        }
    }

    private static void archive(List<JvmBaseline.Entry> out, String option, String file, Path workingDir) {
        if (!file.isEmpty()) {
            Path p = resolve(workingDir, file);
            if (Files.isRegularFile(p)) {
                out.add(new JvmBaseline.Entry(p, AccessFs.READ_FILE.mask(), option + MAPPED));
            }
        }
    }

    /**
     * The folder a file is made in: its parent, or, where the name holds a pattern above the file
     * ({@code %t} in a folder), the nearest folder that exists. Null when none does: HotSpot
     * cannot write there either.
     */
    static Path existingParent(Path file) {
        for (Path p = file.getParent(); p != null; p = p.getParent()) {
            if (!p.toString().contains("%")) {
                return Files.isDirectory(p) ? p : null; // a missing folder is the JVM's own error, not a grant
            }
        }
        return null;
    }

    /** HotSpot's {@code %p} (the PID) and {@code %%}; {@code %t} stays, as it names the start time. */
    static String expand(String name, long pid) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '%' && i + 1 < name.length()) {
                char n = name.charAt(i + 1);
                if (n == 'p') {
                    b.append(pid);
                    i++;
                    continue;
                }
                if (n == '%') {
                    b.append('%');
                    i++;
                    continue;
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    private static Path resolve(Path workingDir, String path) {
        return workingDir.resolve(path).toAbsolutePath().normalize();
    }

    /** The value after {@code -XX:Name=} or {@code -XX:Name:}, or "" for the bare flag. */
    private static String value(String option, String flag) {
        return option.length() > flag.length() ? option.substring(flag.length() + 1) : "";
    }

    private static String after(String option) {
        return option.substring(option.indexOf('=') + 1);
    }

    /** {@code key=value} in a comma-separated option list (JFR's), or null. */
    static String suboption(String options, String key) {
        String found = null;
        for (String kv : splitOutsideQuotes(options, ',')) {
            if (kv.startsWith(key + "=")) {
                found = unquote(kv.substring(key.length() + 1));
            }
        }
        return found;
    }

    /** A value without the double quotes HotSpot lets it have (for colons and commas in it). */
    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }
}
