package dev.landlockagent.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link SteadyState} in JMH forks without and with the agent, alternating (bare, confined,
 * bare, confined, ...), and reports the median score of each side and the overhead.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.landlockagent.bench.SteadyStateRunner [--rounds N] [--smoke]</pre>
 */
public final class SteadyStateRunner {
    private SteadyStateRunner() {
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = Bench.flag(args, "--smoke");
        int rounds = Bench.intArg(args, "--rounds", smoke ? 1 : 3);
        Path dir = Bench.tempDir("landlock-steady-");
        Path file = Files.write(dir.resolve("data.bin"), new byte[4096]);
        // What a JMH fork needs beyond the JVM baseline: its link to the JMH host (a loopback TCP
        // connection to an ephemeral port, after looking up this host's name), JMH's temporary
        // files, and what the benchmarks touch.
        Path policy = Files.writeString(dir.resolve("policy.json"), """
                {"version": 1, "dns": true,
                 "filesystem": [{"path": "%s", "allow": ["read"]},
                                {"path": "${java.io.tmpdir}", "allow": ["read"]}],
                 "network": {"tcp": {"bind": [0], "connect": "unrestricted"}}}
                """.formatted(file));
        List<String> common = List.of("-Dbench.file=" + file, "-Xms256m", "-Xmx256m");
        Map<String, List<Double>> bare = new LinkedHashMap<>();
        Map<String, List<Double>> confined = new LinkedHashMap<>();
        String unit = "";
        for (int r = 0; r < rounds; r++) {
            unit = run(common, smoke, bare);
            List<String> withAgent = new ArrayList<>(common);
            withAgent.add("-javaagent:" + Bench.agentJar() + "=" + policy);
            run(withAgent, smoke, confined);
        }

        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(Bench.machine()).append(". JMH average time, ").append(unit).append(", ")
                .append(rounds).append(smoke ? " smoke round" : " rounds").append(" of one fork per side in alternation;")
                .append(" median of the rounds.\n\n| benchmark | bare | with the agent | overhead | budget |\n|---|---|---|---|---|\n");
        for (String name : bare.keySet()) {
            double a = Bench.median(bare.get(name));
            double b = Bench.median(confined.get(name));
            double pct = (b - a) / a * 100;
            md.append("| ").append(name).append(" | ").append(String.format(java.util.Locale.ROOT, "%.3f", a)).append(" | ")
                    .append(String.format(java.util.Locale.ROOT, "%.3f", b)).append(" | ")
                    .append(String.format(java.util.Locale.ROOT, "%+.1f %%", pct)).append(" | ")
                    .append(smoke ? "not judged (smoke)" : pct <= 3 ? "≤ 3 %: met" : "> 3 %: **missed**").append(" |\n");
        }
        System.out.print(md);
        Files.writeString(Bench.resultsDir().resolve(smoke ? "steady-state-smoke.md" : "steady-state.md"), md);
    }

    private static String run(List<String> jvmArgs, boolean smoke, Map<String, List<Double>> into) throws Exception {
        ChainedOptionsBuilder o = new OptionsBuilder().include(SteadyState.class.getName() + "\\.")
                .forks(1).jvmArgsAppend(jvmArgs.toArray(String[]::new)).shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        if (smoke) {
            o.warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
        } else {
            o.warmupIterations(5).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(10).measurementTime(TimeValue.seconds(1));
        }
        Collection<RunResult> results = new Runner(o.build()).run();
        String unit = "";
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            into.computeIfAbsent(name, k -> new ArrayList<>()).add(r.getPrimaryResult().getScore());
            unit = r.getPrimaryResult().getScoreUnit();
        }
        return unit;
    }
}
