package dev.landlockagent.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What the harnesses share: where things are, running a process and timing it, medians. */
final class Bench {
    private static final Path GNU_TIME = Path.of("/usr/bin/time");

    private Bench() {
    }

    /** The java launcher of this JVM: both sides of every comparison use the same JDK. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** agent/target/landlock-agent.jar, or -Dlandlock.agent.jar. */
    static Path agentJar() {
        String p = System.getProperty("landlock.agent.jar");
        if (p != null) {
            return Path.of(p).toAbsolutePath();
        }
        Path found = projectRoot().resolve("agent/target/landlock-agent.jar");
        if (!Files.isRegularFile(found)) {
            throw new IllegalStateException("no agent jar at " + found + ": build it (./mvnw -B -ntp package -DskipTests)"
                    + " or pass -Dlandlock.agent.jar=PATH");
        }
        return found;
    }

    /** The repository root: the folder above benchmarks/target/benchmarks.jar. */
    static Path projectRoot() {
        String p = System.getProperty("landlock.project.root");
        if (p != null) {
            return Path.of(p).toAbsolutePath();
        }
        Path jar = selfJar();
        for (Path dir = jar.getParent(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("agent")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository above " + jar + "; pass -Dlandlock.project.root=DIR");
    }

    /** The jar (or classes folder) this class was loaded from: the programs are run from it. */
    static Path selfJar() {
        try {
            return Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A jar holding only the programs (Hello, FirstSocket, FileOpens): the same small class path on both
     * sides, without JMH's 3 MB in it.
     */
    static synchronized Path programsJar() throws IOException {
        if (programs == null) {
            Path jar = tempDir("landlock-programs-").resolve("programs.jar");
            try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
                for (Class<?> c : List.of(dev.landlockagent.bench.programs.Hello.class,
                        dev.landlockagent.bench.programs.FirstSocket.class, dev.landlockagent.bench.programs.FileOpens.class)) {
                    String entry = c.getName().replace('.', '/') + ".class";
                    out.putNextEntry(new java.util.jar.JarEntry(entry));
                    try (java.io.InputStream in = c.getClassLoader().getResourceAsStream(entry)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
            jar.toFile().deleteOnExit();
            programs = jar;
        }
        return programs;
    }

    private static Path programs;

    /** benchmarks/target/results, or -Dbench.results (the kernel guests see the project read-only). */
    static Path resultsDir() throws IOException {
        String p = System.getProperty("bench.results");
        return Files.createDirectories(p != null ? Path.of(p) : projectRoot().resolve("benchmarks/target/results"));
    }

    static Path tempDir(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        dir.toFile().deleteOnExit();
        return dir;
    }

    /** One process: wall time from start to exit, and peak RSS in KiB (GNU time's %M), or -1. */
    record Run(long wallNanos, long peakRssKib) {
        double millis() {
            return wallNanos / 1e6;
        }
    }

    static boolean haveGnuTime() {
        return Files.isExecutable(GNU_TIME);
    }

    /** Runs {@code command} to completion; a non-zero exit is an error carrying the output. */
    static Run run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("bench-out-", ".txt");
        Path rss = Files.createTempFile("bench-rss-", ".txt");
        try {
            List<String> cmd = new ArrayList<>();
            if (haveGnuTime()) {
                cmd.addAll(List.of(GNU_TIME.toString(), "-f", "%M", "-o", rss.toString()));
            }
            cmd.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            long start = System.nanoTime();
            Process p = pb.start();
            int status = p.waitFor();
            long wall = System.nanoTime() - start;
            if (status != 0) {
                throw new IllegalStateException("exit " + status + " from " + String.join(" ", command) + "\n"
                        + Files.readString(out));
            }
            long peak = -1;
            if (haveGnuTime()) {
                List<String> lines = Files.readAllLines(rss);
                peak = Long.parseLong(lines.get(lines.size() - 1).strip());
            }
            return new Run(wall, peak);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(rss);
        }
    }

    /** The output of a command that must succeed (stdout and stderr together). */
    static String output(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int status = p.waitFor();
        if (status != 0) {
            throw new IllegalStateException("exit " + status + " from " + String.join(" ", command) + "\n" + out);
        }
        return out;
    }

    static double percentile(List<Double> values, double p) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        double rank = p * (v.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return v[lo] + (v[hi] - v[lo]) * (rank - lo);
    }

    static double median(List<Double> values) {
        return percentile(values, 0.5);
    }

    static String f0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** "median (p25–p75)" */
    static String spread(List<Double> values) {
        return f0(median(values)) + " (" + f0(percentile(values, 0.25)) + "–" + f0(percentile(values, 0.75)) + ")";
    }

    static String machine() {
        int cores = Runtime.getRuntime().availableProcessors();
        String kernel = System.getProperty("os.version");
        return "Linux " + kernel + ", " + cores + " cores, " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version");
    }

    static int intArg(String[] args, String name, int dflt) {
        int i = Arrays.asList(args).indexOf(name);
        return i >= 0 && i + 1 < args.length ? Integer.parseInt(args[i + 1]) : dflt;
    }

    static boolean flag(String[] args, String name) {
        return Arrays.asList(args).contains(name);
    }
}
