package dev.landlockagent.confine;

import dev.landlockagent.plan.DiagnosticFiles;
import dev.landlockagent.plan.JvmFacts;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** Reads what the agent needs to know about the JVM it runs in. */
public final class ThisJvm {
    private ThisJvm() {
    }

    public static CommandLine commandLine() throws StartupFailure {
        try {
            return CommandLine.parse(Files.readAllBytes(Path.of("/proc/self/cmdline")));
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupFailure("cannot read this JVM's command line from /proc/self/cmdline (is /proc mounted?): " + e, e);
        }
    }

    /**
     * This process's PID, from {@code /proc/self}: {@code ProcessHandle.current()} would start the
     * JDK's process-reaper executor on a cold JVM for one number.
     */
    public static long pid() throws StartupFailure {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | NumberFormatException e) {
            throw new StartupFailure("cannot read this process's PID from /proc/self (is /proc mounted?): " + e, e);
        }
    }

    /**
     * The environment the process was started with ({@code /proc/self/environ}), each entry
     * {@code NAME=value} as raw bytes. The java launcher does not change its own environment on
     * Linux; what it derives from its arguments, the re-executed launcher derives again.
     */
    public static List<byte[]> environment() throws StartupFailure {
        try {
            byte[] all = Files.readAllBytes(Path.of("/proc/self/environ"));
            List<byte[]> entries = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == 0) {
                    if (i > start) {
                        entries.add(java.util.Arrays.copyOfRange(all, start, i));
                    }
                    start = i + 1;
                }
            }
            return entries;
        } catch (IOException e) {
            throw new StartupFailure("cannot read this process's environment from /proc/self/environ: " + e, e);
        }
    }

    /**
     * The descriptors this process has open, from /proc/self/fd; the listing's own, closed by the
     * time this returns, among them.
     */
    public static List<Integer> openDescriptors() throws StartupFailure {
        List<Integer> fds = new ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : dir) {
                fds.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (IOException | NumberFormatException e) {
            throw new StartupFailure("cannot list this JVM's open descriptors in /proc/self/fd: " + e, e);
        }
        return fds;
    }

    /** The binary this process runs ({@code /proc/self/exe}). */
    public static Path executable() throws StartupFailure {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/exe"));
        } catch (IOException e) {
            throw new StartupFailure("cannot read /proc/self/exe to re-execute the JVM: " + e, e);
        }
    }

    /** The application jar when the JVM was started with {@code -jar}, else null. */
    public static Path mainJar() {
        String command = System.getProperty("sun.java.command", "");
        int space = command.indexOf(' ');
        String first = space < 0 ? command : command.substring(0, space);
        if (first.endsWith(".jar") || first.endsWith(".JAR")) {
            Path p = Path.of(first).toAbsolutePath().normalize();
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * What the baseline grants are made of: the JDK, the class and module paths, agents, argument
     * files, the policy file and the temporary folder.
     *
     * @param options           every option that configures the JVM ({@link LaunchEnvironment#allOptions})
     * @param classPathVariable the CLASSPATH variable, or null
     */
    static JvmFacts facts(CommandLine cmd, List<String> options, java.util.Map<String, String> variables, Path agentJar,
                          Path policyFile) {
        String classPath = CommandLine.classPathArgument(options);
        if (classPath == null) {
            classPath = variables.get("CLASSPATH"); // the launcher's fallback
        }
        List<Path> wildcardFolders = cmd.jarMain() ? List.of()
                : CommandLine.wildcardFolders(classPath, Path.of(System.getProperty("user.dir")));
        Set<Path> agents = new LinkedHashSet<>(CommandLine.javaAgentJars(options));
        if (agentJar != null) {
            agents.add(agentJar);
        }
        Path javaHome = Path.of(System.getProperty("java.home"));
        return new JvmFacts(
                javaHome,
                interpreter(javaHome.resolve("bin/java")),
                withManifestClassPaths(paths(System.getProperty("java.class.path"))),
                wildcardFolders,
                paths(System.getProperty("jdk.module.path")),
                paths(System.getProperty("jdk.boot.class.path.append")),
                List.copyOf(agents),
                CommandLine.nativeAgents(options),
                cmd.argFiles(),
                policyFile,
                Path.of("/tmp"), // HotSpot's os::get_temp_directory() on Linux
                System.getProperty("user.name", "unknown"),
                diagnostics(cmd, variables));
    }

    /** What the JVM's diagnostics flags name, wherever the operator put them. */
    private static DiagnosticFiles diagnostics(CommandLine cmd, java.util.Map<String, String> variables) {
        long pid;
        try {
            pid = pid();
        } catch (StartupFailure e) {
            pid = -1; // no /proc: confinement itself fails later, with its own message
        }
        List<String> flags = cmd.optionsInPrecedence(variables.get("JAVA_TOOL_OPTIONS"), variables.get("JDK_JAVA_OPTIONS"),
                variables.get("_JAVA_OPTIONS"));
        DiagnosticFiles d = DiagnosticFiles.of(flags, Path.of(System.getProperty("user.dir")), pid);
        List<dev.landlockagent.plan.JvmBaseline.Entry> entries = new java.util.ArrayList<>(d.entries());
        for (Path f : dev.landlockagent.explain.Suggestions.files()) {
            if (java.nio.file.Files.isRegularFile(f)) {
                entries.add(new dev.landlockagent.plan.JvmBaseline.Entry(f,
                        dev.landlockagent.landlock.AccessFs.WRITE_FILE.mask() | dev.landlockagent.landlock.AccessFs.TRUNCATE.mask(),
                        "suggest run: the suggestions written when the JVM ends"));
            }
        }
        return entries.size() == d.entries().size() ? d : new DiagnosticFiles(entries, d.defaults(), d.options(), d.repository());
    }

    /**
     * The class path as the JDK reads it: each jar's manifest Class-Path entries (relative to the
     * jar's folder) are on it too, and are not in {@code java.class.path}.
     */
    static List<Path> withManifestClassPaths(List<Path> classPath) {
        Set<Path> all = new LinkedHashSet<>(classPath);
        List<Path> pending = new ArrayList<>(classPath);
        while (!pending.isEmpty() && all.size() < 10_000) {
            Path entry = pending.remove(0);
            if (!entry.toString().endsWith(".jar") || !Files.isRegularFile(entry)) {
                continue;
            }
            for (Path referenced : manifestClassPath(entry)) {
                if (all.add(referenced)) {
                    pending.add(referenced);
                }
            }
        }
        return List.copyOf(all);
    }

    private static List<Path> manifestClassPath(Path jar) {
        List<Path> out = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile(), false)) {
            Manifest mf = jf.getManifest();
            String value = mf == null ? null : mf.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (value == null) {
                return out;
            }
            for (String token : value.strip().split("\\s+")) {
                if (token.isEmpty()) {
                    continue;
                }
                try {
                    URI uri = jar.getParent().toUri().resolve(token);
                    if ("file".equals(uri.getScheme())) {
                        out.add(Path.of(uri).normalize());
                    }
                } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException ignored) {
                    // the JDK ignores entries it cannot use, and so does the baseline
                }
            }
        } catch (IOException ignored) {
            // not a readable jar: the JDK will not load from it either
        }
        return out;
    }

    private static Path interpreter(Path launcher) {
        try {
            Path interp = ElfInterpreter.of(launcher);
            return interp == null ? null : interp.toRealPath();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<Path> paths(String value) {
        List<Path> out = new ArrayList<>();
        if (value == null || value.isEmpty()) {
            return out;
        }
        for (String s : value.split(File.pathSeparator)) {
            if (!s.isEmpty()) {
                out.add(Path.of(s).toAbsolutePath().normalize());
            }
        }
        return out;
    }
}
