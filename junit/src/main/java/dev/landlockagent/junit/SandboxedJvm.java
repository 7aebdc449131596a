package dev.landlockagent.junit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Launches a Java program in a separate JVM confined by landlock-agent, for integration tests:
 *
 * <pre>{@code
 * SandboxedJvm.Result r = SandboxedJvm.withPolicy(Path.of("policy.json"))
 *         .classpath(Path.of("target/classes"))
 *         .run("com.example.Main", "arg");
 * assertEquals(0, r.exitCode());
 * assertEquals(List.of(), r.denials(), r.stderr());
 * }</pre>
 *
 * The test JVM itself is never confined. The agent jar is the {@code dev.landlockagent:landlock-agent}
 * on the test class path (a dependency of this module), the system property {@code landlock.agent.jar},
 * or the one set with {@link #agentJar(Path)}. The confined JVM reports each denial to this launcher
 * ({@code -Dlandlock.denial.report=stderr}): {@link Result#denials()} lists them as typed values,
 * whatever logging the program has.
 */
public final class SandboxedJvm {
    /** The agent's report of each denial, one line each on stderr (explain.DenialReport). */
    private static final String REPORT_PROPERTY = "landlock.denial.report";
    private static final String REPORT_PREFIX = "[landlock-agent] DENIAL ";

    /** How the agent is given its policy. */
    private enum PolicyVia { AGENT_ARGUMENT, NONE }

    private final PolicyVia via;
    private final String agentArgument;
    private Path agentJar;
    private final List<String> classpath = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> removedEnvironment = new ArrayList<>();
    /** 60 s, or -Dlandlock.test.timeout=SECONDS (slow machines, emulated kernels). */
    private Duration timeout = Duration.ofSeconds(Long.getLong("landlock.test.timeout", 60));
    private Path workingDirectory;
    private boolean withAgent = true;
    private String user;

    private SandboxedJvm(PolicyVia via, String agentArgument) {
        this.via = via;
        this.agentArgument = agentArgument;
    }

    /** A JVM given {@code policy} as the agent argument. */
    public static SandboxedJvm withPolicy(Path policy) {
        return new SandboxedJvm(PolicyVia.AGENT_ARGUMENT, policy.toAbsolutePath().toString());
    }

    /** A JVM given the policy text {@code json}, written to a temporary file first. */
    public static SandboxedJvm withPolicyJson(String json) {
        try {
            Path file = Files.createTempFile("landlock-policy-", ".json");
            file.toFile().deleteOnExit();
            Files.writeString(file, json);
            file.toFile().setReadable(true, false); // for a JVM run as another user (asUser)
            return withPolicy(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JVM given {@code argument} verbatim as the agent argument (a path, classpath: or jar: location). */
    public static SandboxedJvm withAgentArgument(String argument) {
        return new SandboxedJvm(PolicyVia.AGENT_ARGUMENT, argument);
    }

    /** A JVM with the agent but no agent argument: the policy comes from a system property or a manifest. */
    public static SandboxedJvm withoutAgentArgument() {
        return new SandboxedJvm(PolicyVia.NONE, null);
    }

    /** A JVM without the agent at all (for comparisons). */
    public static SandboxedJvm unconfined() {
        SandboxedJvm jvm = new SandboxedJvm(PolicyVia.NONE, null);
        jvm.withAgent = false;
        return jvm;
    }

    public SandboxedJvm agentJar(Path jar) {
        this.agentJar = jar;
        return this;
    }

    public SandboxedJvm classpath(Path... entries) {
        for (Path p : entries) {
            classpath.add(p.toAbsolutePath().toString());
        }
        return this;
    }

    public SandboxedJvm jvmOptions(String... options) {
        jvmOptions.addAll(Arrays.asList(options));
        return this;
    }

    public SandboxedJvm env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public SandboxedJvm withoutEnv(String name) {
        removedEnvironment.add(name);
        return this;
    }

    public SandboxedJvm timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    public SandboxedJvm workingDirectory(Path dir) {
        this.workingDirectory = dir;
        return this;
    }

    /** The agent jar in use. */
    public Path agentJar() {
        if (agentJar != null) {
            return agentJar;
        }
        return defaultAgentJar();
    }

    /**
     * {@code landlock.agent.jar}; else the agent jar on the test class path (the dependency
     * {@code dev.landlockagent:landlock-agent}); else {@code agent/target/landlock-agent.jar} above the
     * working directory (this repository's own build).
     */
    public static Path defaultAgentJar() {
        String property = System.getProperty("landlock.agent.jar");
        if (property != null) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        Path onClasspath = agentJarOnClasspath();
        if (onClasspath != null) {
            return onClasspath;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("agent/target/landlock-agent.jar");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("landlock-agent.jar not found: add the dependency dev.landlockagent:landlock-agent"
                + " (landlock-agent-junit brings it), set -Dlandlock.agent.jar, or call agentJar(Path)");
    }

    /** The jar whose {@code Premain-Class} is the agent's entry, where the class path holds one; else null. */
    static Path agentJarOnClasspath() {
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && isAgentJar(Path.of(entry))) {
                return Path.of(entry).toAbsolutePath().normalize();
            }
        }
        return null;
    }

    private static boolean isAgentJar(Path jar) {
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
            java.util.jar.Manifest m = j.getManifest();
            return m != null && AGENT_ENTRY.equals(m.getMainAttributes().getValue("Premain-Class"));
        } catch (IOException e) {
            return false;
        }
    }

    private static final String AGENT_ENTRY = "dev.landlockagent.launch.AgentEntry";

    /**
     * This test JVM's class path (under Surefire and Failsafe, the test class path), without the agent
     * jar: for a confined JVM that runs the project's own classes, as {@link Sandboxed} does.
     */
    public static List<Path> testClasspath() {
        List<Path> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty() && !(entry.endsWith(".jar") && isAgentJar(Path.of(entry)))) {
                out.add(Path.of(entry));
            }
        }
        return out;
    }

    /** The java launcher of the JDK running the tests. */
    public static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** The full command for running {@code mainClass} with {@code args}. */
    public List<String> command(String mainClass, String... args) {
        List<String> cmd = jvmCommand();
        if (!classpath.isEmpty()) {
            cmd.add("-cp");
            List<String> entries = new ArrayList<>();
            for (String e : classpath) {
                entries.add(user == null ? e : readableByAnyone(Path.of(e)).toString());
            }
            cmd.add(String.join(File.pathSeparator, entries));
        }
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    private List<String> jvmCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(java().toString());
        if (withAgent) {
            String option = "-javaagent:" + (user == null ? agentJar() : readableByAnyone(agentJar()));
            if (via == PolicyVia.AGENT_ARGUMENT) {
                option += "=" + agentArgument;
            }
            cmd.add(option);
            cmd.add("-D" + REPORT_PROPERTY + "=stderr");
        }
        cmd.addAll(jvmOptions);
        return cmd;
    }

    /** Runs {@code mainClass} to completion. */
    public Result run(String mainClass, String... args) {
        return start(command(mainClass, args)).await();
    }

    /** Runs an executable jar ({@code java -jar}) to completion. */
    public Result runJar(Path jar, String... args) {
        List<String> cmd = jvmCommand();
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        cmd.addAll(Arrays.asList(args));
        return start(cmd).await();
    }

    /** Starts {@code mainClass}; see {@link Running}. */
    public Running start(String mainClass, String... args) {
        return start(command(mainClass, args));
    }

    /**
     * Runs the JVM as another user ({@code uid:gid}, numbers) through util-linux's {@code setpriv},
     * with no supplementary groups and no capabilities: for the non-root case on our root machines.
     */
    public SandboxedJvm asUser(int uid, int gid) {
        this.user = uid + ":" + gid;
        return this;
    }

    /**
     * {@code path}, or, where a folder above it is private (a checkout under /root), a copy other
     * users can read, made once per test JVM: for a JVM run with {@link #asUser}, where a command
     * built by hand names the agent jar or a class path entry.
     */
    public static synchronized Path readableByAnyone(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (everyoneCanReach(p)) {
            return p;
        }
        Path copy = Path.of(System.getProperty("java.io.tmpdir"), "landlock-as-user",
                Integer.toHexString(p.toString().hashCode()), p.getFileName().toString());
        try {
            if (!Files.exists(copy)) {
                try (var tree = Files.walk(p)) {
                    for (Path from : tree.toList()) {
                        Path to = copy.resolve(p.relativize(from).toString());
                        Files.createDirectories(Files.isDirectory(from) ? to : to.getParent());
                        if (!Files.isDirectory(from)) {
                            Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
                try (var tree = Files.walk(copy.getParent().getParent())) {
                    for (Path c : tree.toList()) {
                        c.toFile().setReadable(true, false);
                        c.toFile().setExecutable(Files.isDirectory(c), false);
                    }
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + p + " where another user can read it", e);
        }
    }

    private static boolean everyoneCanReach(Path p) {
        try {
            for (Path dir = p.getParent(); dir != null; dir = dir.getParent()) {
                if (!Files.getPosixFilePermissions(dir).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts an arbitrary command line with this JVM's environment settings. */
    public Running start(List<String> command) {
        if (user != null) {
            List<String> as = new ArrayList<>(List.of("setpriv", "--reuid=" + user.substring(0, user.indexOf(':')),
                    "--regid=" + user.substring(user.indexOf(':') + 1), "--clear-groups", "--inh-caps=-all", "--"));
            as.addAll(command);
            command = as;
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeAll(removedEnvironment);
        pb.environment().putAll(environment);
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        try {
            return new Running(pb.start(), command, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** A started JVM. Its output is collected in the background. */
    public static final class Running {
        private final Process process;
        private final List<String> command;
        private final Duration timeout;
        private final Collector out;
        private final Collector err;

        Running(Process process, List<String> command, Duration timeout) {
            this.process = process;
            this.command = List.copyOf(command);
            this.timeout = timeout;
            this.out = new Collector(process.getInputStream(), "stdout");
            this.err = new Collector(process.getErrorStream(), "stderr");
        }

        public Process process() {
            return process;
        }

        public long pid() {
            return process.pid();
        }

        /** Waits until stdout has a line starting with {@code prefix}; returns it. */
        public String awaitLine(String prefix, Duration max) {
            long deadline = System.nanoTime() + max.toNanos();
            while (System.nanoTime() < deadline) {
                for (String line : out.text().split("\n")) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                if (!process.isAlive()) {
                    break;
                }
                sleep(20);
            }
            throw new AssertionError("no line starting with '" + prefix + "' within " + max + " from " + command
                    + "\nstdout:\n" + out.text() + "\nstderr:\n" + err.text());
        }

        /**
         * Sends SIGTERM (as {@code kill PID} would). Through the ProcessHandle: {@code Process.destroy()}
         * would also close the pipes, losing what shutdown hooks print.
         */
        public void terminate() {
            process.toHandle().destroy();
        }

        public Result await() {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("timed out after " + timeout + ": " + command
                            + "\nstdout:\n" + out.text() + "\nstderr:\n" + err.text());
                }
                out.join();
                err.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            return Result.of(command, process.exitValue(), out.text(), err.text());
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Collector extends Thread {
        private final InputStream in;
        private final StringBuffer text = new StringBuffer();

        Collector(InputStream in, String name) {
            super("sandboxed-jvm-" + name);
            this.in = in;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }

        String text() {
            return text.toString();
        }
    }

    /**
     * What a confined JVM did: its command, exit status, output, and the denials the agent reported,
     * in order, repeats included. {@code stderr} is the program's, without the agent's report lines;
     * the agent's own WARN line for each kind of denial is in it (or, once the program's SLF4J is
     * initialised, in the program's log).
     */
    public record Result(List<String> command, int exitCode, String stdout, String stderr, List<Denial> denials) {
        public Result {
            command = List.copyOf(command);
            denials = List.copyOf(denials);
        }

        /** Takes the agent's report lines out of {@code stderr}, as typed denials. */
        static Result of(List<String> command, int exitCode, String stdout, String stderr) {
            List<Denial> denials = new ArrayList<>();
            StringBuilder rest = new StringBuilder();
            int from = 0;
            while (from < stderr.length()) {
                int end = stderr.indexOf('\n', from);
                String line = end < 0 ? stderr.substring(from) : stderr.substring(from, end + 1);
                from = end < 0 ? stderr.length() : end + 1;
                int at = line.indexOf(REPORT_PREFIX);
                if (at >= 0 && line.endsWith("\n")) {
                    denials.add(Denial.fromReport(line.substring(at + REPORT_PREFIX.length()).strip()));
                    rest.append(line, 0, at); // what the program wrote on that line before the report
                } else {
                    rest.append(line);
                }
            }
            return new Result(command, exitCode, stdout, rest.toString(), denials);
        }

        public List<String> stdoutLines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }

        public List<String> stderrLines() {
            return stderr.isEmpty() ? List.of() : List.of(stderr.split("\n"));
        }

        /** The denials of one kind ({@link Denial#kind()}: {@code filesystem}, {@code network}, ...). */
        public List<Denial> denials(String kind) {
            List<Denial> d = new ArrayList<>();
            for (Denial x : denials) {
                if (x.kind().equals(kind)) {
                    d.add(x);
                }
            }
            return d;
        }

        /** The agent's WARN lines on stderr, one per kind of denial (lines starting with {@code [landlock-agent] WARN denied}). */
        public List<String> denialWarnings() {
            List<String> d = new ArrayList<>();
            for (String line : stderrLines()) {
                if (line.startsWith("[landlock-agent] WARN denied")) {
                    d.add(line);
                }
            }
            return d;
        }

        /** For assertion messages. */
        public String describe() {
            return "command: " + String.join(" ", command) + "\nexit: " + exitCode + "\nstdout:\n" + stdout
                    + "\nstderr:\n" + stderr + (denials.isEmpty() ? "" : "\ndenials:\n" + denials);
        }
    }
}
