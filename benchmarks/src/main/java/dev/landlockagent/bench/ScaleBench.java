package dev.landlockagent.bench;

import dev.landlockagent.bench.programs.Hello;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Policy scale: how long parsing, planning and building the ruleset take as a policy grows to
 * 1,000 filesystem rules and 10,000 TCP port rules, and with a {@code 1024-65535} range (one
 * Landlock rule per port: 64,512 more). Read from the agent's own phase timings
 * ({@code -Dlandlock.timing=true}) in the first JVM, median of several runs.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.landlockagent.bench.ScaleBench [--runs N]</pre>
 */
public final class ScaleBench {
    private static final Pattern PHASE = Pattern.compile("([a-zA-Z ,()]+?) ([0-9.]+) ms");
    /**
     * parse, plan, apply. The plan is "probe kernel, plan", or, when the first JVM planned while
     * the FFM link was still running, "plan ahead" plus "probe kernel (as planned)".
     */
    private static final List<String> PHASES = List.of("read and parse policy", "plan", "apply ruleset and filter");

    private ScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = Bench.intArg(args, "--runs", 5);
        Path dir = Bench.tempDir("landlock-scale-");
        Path folders = Files.createDirectories(dir.resolve("folders"));
        for (int i = 0; i < 1000; i++) {
            Files.createDirectories(folders.resolve(String.format("d%04d", i)));
        }
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(Bench.machine()).append(". Phase times from `-Dlandlock.timing=true` in the")
                .append(" first JVM, ms, median of ").append(runs).append(" runs. \"built\" is parse + plan + apply.\n\n")
                .append("| filesystem rules | TCP port rules in the policy | Landlock port rules | parse | plan | apply |")
                .append(" built | per 1,000 kernel rules |\n|---|---|---|---|---|---|---|---|\n");
        int[][] sizes = {{125, 1250, 0}, {250, 2500, 0}, {500, 5000, 0}, {1000, 10000, 0}, {1000, 10000, 1}};
        for (int[] s : sizes) {
            int fs = s[0];
            int ports = s[1];
            boolean range = s[2] == 1;
            Path policy = dir.resolve("policy-" + fs + "-" + ports + (range ? "-range" : "") + ".json");
            Files.writeString(policy, policy(folders, fs, ports, range));
            Map<String, List<Double>> times = new LinkedHashMap<>();
            for (int r = 0; r < runs; r++) {
                String out = Bench.output(List.of(Bench.java(), "-Dlandlock.timing=true",
                        "-javaagent:" + Bench.agentJar() + "=" + policy, "-cp", Bench.programsJar().toString(),
                        Hello.class.getName()));
                Map<String, Double> p = phases(out);
                p.put("plan", p.getOrDefault("probe kernel, plan", 0.0) + p.getOrDefault("plan ahead", 0.0)
                        + p.getOrDefault("probe kernel (as planned)", 0.0));
                for (Map.Entry<String, Double> e : p.entrySet()) {
                    times.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
                }
            }
            double parse = Bench.median(times.getOrDefault(PHASES.get(0), List.of()));
            double plan = Bench.median(times.getOrDefault(PHASES.get(1), List.of()));
            double apply = Bench.median(times.getOrDefault(PHASES.get(2), List.of()));
            // One Landlock rule per port: the single bind ports lie inside the connect range.
            int kernelPortRules = range ? 64512 : ports;
            double built = parse + plan + apply;
            md.append("| ").append(fs).append(" | ").append(ports - (range ? 1 : 0)).append(range ? " + `1024-65535`" : "")
                    .append(" | ").append(kernelPortRules).append(" | ").append(Bench.f1(parse)).append(" | ")
                    .append(Bench.f1(plan)).append(" | ").append(Bench.f1(apply)).append(" | ").append(Bench.f1(built))
                    .append(" | ").append(Bench.f1(built / ((fs + kernelPortRules) / 1000.0))).append(" |\n");
        }
        System.out.print(md);
        Files.writeString(Bench.resultsDir().resolve("scale.md"), md);
    }

    /** bind: {@code ports} single ports from 10000 up (one fewer with the range); connect: the range. */
    static String policy(Path folders, int fs, int ports, boolean range) {
        StringBuilder b = new StringBuilder("{\"version\": 1, \"filesystem\": [");
        for (int i = 0; i < fs; i++) {
            b.append(i == 0 ? "" : ",\n").append("{\"path\": \"").append(folders.resolve(String.format("d%04d", i)))
                    .append("\", \"allow\": [\"read\"]}");
        }
        b.append("],\n\"network\": {\"tcp\": {\"bind\": [");
        int single = range ? ports - 1 : ports;
        for (int i = 0; i < single; i++) {
            b.append(i == 0 ? "" : ", ").append(10000 + i);
        }
        b.append("], \"connect\": [").append(range ? "\"1024-65535\"" : "").append("]}}}");
        return b.toString();
    }

    static Map<String, Double> phases(String output) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            if (!line.contains("timing (first JVM") && !line.contains("timing (TSYNC")) {
                continue;
            }
            Matcher x = PHASE.matcher(line.substring(line.indexOf("): ") + 3));
            while (x.find()) {
                m.put(x.group(1).replaceFirst("^[, ]+", "").strip(), Double.parseDouble(x.group(2)));
            }
        }
        return m;
    }
}
