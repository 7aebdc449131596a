package dev.landlockagent.confine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The JVM's command line as the launcher received it ({@code /proc/self/cmdline}), and what the
 * agent needs to know of it: which arguments are launcher options, which Java agents, native
 * agents and argument files it names, and whether the main class is run from a module.
 */
public final class CommandLine {
    /** Launcher options whose value is the next argument (the JDK launcher's java.c). */
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of(
            "-cp", "-classpath", "--class-path", "-p", "--module-path", "--upgrade-module-path",
            "--add-modules", "--limit-modules", "--add-exports", "--add-reads", "--add-opens",
            "--patch-module", "--enable-native-access", "--illegal-native-access", "--source",
            "-d", "--describe-module", "--sun-misc-unsafe-memory-access");

    private final List<byte[]> argv;
    private final List<String> args;
    /** Index of the first argument that belongs to the application (after main class or jar). */
    private final int firstAppArg;
    /** Index of -jar, -m/--module, or the main class or source file; -1 when none is visible. */
    private final int mainIndex;
    private final boolean moduleMain;
    private final boolean limitsModules;

    public CommandLine(List<byte[]> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command line");
        }
        this.argv = List.copyOf(argv);
        List<String> s = new ArrayList<>(argv.size());
        for (byte[] a : argv) {
            s.add(new String(a, StandardCharsets.UTF_8));
        }
        this.args = List.copyOf(s);
        int i = 1;
        boolean module = false;
        boolean limit = false;
        int main = -1;
        while (i < args.size()) {
            String a = args.get(i);
            if (a.equals("-jar") || a.equals("-m") || a.equals("--module")) {
                module |= !a.equals("-jar");
                main = i;
                i += 2;
                break;
            }
            if (a.startsWith("--module=")) {
                module = true;
                main = i;
                i += 1;
                break;
            }
            if (a.equals("--limit-modules") || a.startsWith("--limit-modules=")) {
                limit = true;
            }
            if (OPTIONS_WITH_VALUE.contains(a)) {
                i += 2;
                continue;
            }
            if (!a.startsWith("-") && !a.startsWith("@")) {
                main = i; // the main class or source file
                i += 1;
                break;
            }
            i += 1;
        }
        this.firstAppArg = Math.min(i, args.size());
        this.mainIndex = main;
        this.moduleMain = module;
        this.limitsModules = limit;
    }

    /** Splits {@code /proc/self/cmdline}: NUL-terminated arguments. */
    public static CommandLine parse(byte[] procCmdline) {
        List<byte[]> argv = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < procCmdline.length; i++) {
            if (procCmdline[i] == 0) {
                byte[] a = new byte[i - start];
                System.arraycopy(procCmdline, start, a, 0, a.length);
                argv.add(a);
                start = i + 1;
            }
        }
        if (start < procCmdline.length) {
            byte[] a = new byte[procCmdline.length - start];
            System.arraycopy(procCmdline, start, a, 0, a.length);
            argv.add(a);
        }
        return new CommandLine(argv);
    }

    public List<byte[]> argv() {
        return argv;
    }

    public List<String> args() {
        return args;
    }

    /** The arguments the launcher reads itself: its options, then the main class, jar or module that ends them. */
    public List<String> launcherOptions() {
        return args.subList(1, firstAppArg);
    }

    public int firstAppArg() {
        return firstAppArg;
    }

    /** Where the launcher options end: the index of -jar, -m or the main class; -1 if not visible. */
    public int mainIndex() {
        return mainIndex;
    }

    public boolean moduleMain() {
        return moduleMain;
    }

    public boolean limitsModules() {
        return limitsModules;
    }

    /** Whether the application is run with {@code -jar}, which makes the launcher ignore any class path. */
    public boolean jarMain() {
        return mainIndex > 0 && args.get(mainIndex).equals("-jar");
    }

    /** The class path among {@code options}: the last {@code -cp}, {@code -classpath} or {@code --class-path}; null for none. */
    public static String classPathArgument(List<String> options) {
        String value = null;
        for (int i = 0; i < options.size(); i++) {
            String o = options.get(i);
            if ((o.equals("-cp") || o.equals("-classpath") || o.equals("--class-path")) && i + 1 < options.size()) {
                value = options.get(++i);
            } else if (o.startsWith("--class-path=")) {
                value = o.substring("--class-path=".length());
            }
        }
        return value;
    }

    /**
     * The folders a class path's wildcard entries name ({@code lib/*}, or {@code *} for the working
     * directory), absolute: the launcher lists each to expand it into its jars (the JDK's
     * wildcard.c), and so does the re-executed one.
     */
    public static List<Path> wildcardFolders(String classPath, Path workingDirectory) {
        List<Path> folders = new ArrayList<>();
        if (classPath == null) {
            return folders;
        }
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (entry.equals("*")) {
                folders.add(workingDirectory);
            } else if (entry.endsWith("/*")) {
                folders.add(workingDirectory.resolve(entry.substring(0, entry.length() - 2)).normalize());
            }
        }
        return folders;
    }

    /** {@code -javaagent:} jars among {@code options}. */
    public static List<Path> javaAgentJars(List<String> options) {
        return agentPaths(options, "-javaagent:");
    }

    /** {@code -agentpath:} libraries among {@code options}. */
    public static List<Path> nativeAgents(List<String> options) {
        return agentPaths(options, "-agentpath:");
    }

    private static List<Path> agentPaths(List<String> options, String prefix) {
        List<Path> paths = new ArrayList<>();
        for (String o : options) {
            if (o.startsWith(prefix)) {
                String rest = o.substring(prefix.length());
                int eq = rest.indexOf('=');
                String file = eq < 0 ? rest : rest.substring(0, eq);
                if (!file.isEmpty()) {
                    paths.add(Path.of(file).toAbsolutePath().normalize());
                }
            }
        }
        return paths;
    }

    /** {@code @file} argument files among the launcher options. */
    public List<Path> argFiles() {
        List<Path> files = new ArrayList<>();
        for (String o : launcherOptions()) {
            if (o.startsWith("@") && !o.startsWith("@@") && o.length() > 1) {
                files.add(Path.of(o.substring(1)).toAbsolutePath().normalize());
            }
        }
        return files;
    }

    /**
     * The JVM's options in HotSpot's order of precedence, later winning: JAVA_TOOL_OPTIONS, then
     * JDK_JAVA_OPTIONS and the launcher options (the launcher puts the first before the second),
     * each {@code @argfile} replaced by its contents as the launcher reads them, then
     * _JAVA_OPTIONS. Each variable may be null.
     */
    public List<String> optionsInPrecedence(String javaToolOptions, String jdkJavaOptions, String javaOptions) {
        List<String> out = new ArrayList<>();
        if (javaToolOptions != null) {
            out.addAll(splitOptions(javaToolOptions));
        }
        List<String> launcher = new ArrayList<>();
        if (jdkJavaOptions != null) {
            launcher.addAll(splitOptions(jdkJavaOptions));
        }
        launcher.addAll(launcherOptions());
        for (String o : launcher) {
            if (o.startsWith("@") && !o.startsWith("@@") && o.length() > 1) {
                out.addAll(argFile(Path.of(o.substring(1))));
            } else {
                out.add(o.startsWith("@@") ? o.substring(1) : o);
            }
        }
        if (javaOptions != null) {
            out.addAll(splitOptions(javaOptions));
        }
        return out;
    }

    /**
     * An argument file's options, as the launcher reads them: white-space separated, quotes
     * grouping, a {@code #} outside quotes starting a comment to the end of the line. An
     * unreadable file gives none: the launcher has already refused to start with it.
     */
    static List<String> argFile(Path file) {
        String text;
        try {
            text = java.nio.file.Files.readString(file);
        } catch (java.io.IOException | RuntimeException e) {
            return List.of();
        }
        StringBuilder kept = new StringBuilder(text.length());
        for (String line : text.split("\n", -1)) {
            char quote = 0;
            int tokenStart = kept.length();
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quote != 0) {
                    quote = c == quote ? 0 : quote;
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '#') {
                    // A comment, to the end of the line; the launcher drops the token it interrupts
                    // too (measured: "-Dk=v#x" sets nothing).
                    kept.setLength(tokenStart);
                    break;
                } else if (Character.isWhitespace(c)) {
                    tokenStart = kept.length() + 1;
                }
                kept.append(c);
            }
            kept.append('\n');
        }
        return splitOptions(kept.toString());
    }

    /**
     * Splits an options variable ({@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}) as the JVM
     * does: on white space, with single or double quotes grouping (and removed).
     */
    public static List<String> splitOptions(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inToken = false;
        char quote = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inToken = false;
                }
            } else {
                cur.append(c);
                inToken = true;
            }
        }
        if (inToken) {
            out.add(cur.toString());
        }
        return out;
    }
}
