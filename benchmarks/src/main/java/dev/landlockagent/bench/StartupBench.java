package dev.landlockagent.bench;

import dev.landlockagent.bench.programs.FirstSocket;
import dev.landlockagent.bench.programs.Hello;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole-process startup and memory: each comparison runs its two commands in alternation
 * (A B A B ...) after a warm-up, so that both sides see the same machine, and reports medians.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.landlockagent.bench.StartupBench [--runs N] [--warmup N] [--only N]
 *     [--baseline-agent JAR]</pre>
 *
 * Writes benchmarks/target/results/startup.md.
 */
public final class StartupBench {
    private StartupBench() {
    }

    record Side(String label, List<String> command) {
    }

    /** Budgets of -1 are none; {@code ratioBudget} bounds B's median wall time over A's. */
    record Comparison(String scenario, Side a, Side b, double wallBudgetMs, double rssBudgetMib, double ratioBudget) {
        Comparison(String scenario, Side a, Side b, double wallBudgetMs, double rssBudgetMib) {
            this(scenario, a, b, wallBudgetMs, rssBudgetMib, -1);
        }
    }

    record Outcome(Comparison c, List<Double> aMs, List<Double> bMs, List<Double> aRss, List<Double> bRss) {
        double overheadMs() {
            return Bench.median(bMs) - Bench.median(aMs);
        }

        double ratio() {
            return Bench.median(bMs) / Bench.median(aMs);
        }

        double overheadRssMib() {
            return (Bench.median(bRss) - Bench.median(aRss)) / 1024;
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = Bench.intArg(args, "--runs", 20);
        int warmup = Bench.intArg(args, "--warmup", 3);
        String jar = Bench.programsJar().toString();
        String agent = Bench.agentJar().toString();
        Path dir = Bench.tempDir("landlock-startup-");
        Path denyAll = Files.writeString(dir.resolve("deny-all.json"), "{\"version\": 1}");
        Path oneSocket = Files.writeString(dir.resolve("first-socket.json"),
                "{\"version\": 1, \"network\": {\"tcp\": {\"bind\": [0]}}}");

        List<String> hello = List.of(Bench.java(), "-cp", jar, Hello.class.getName());
        List<String> helloAgent = List.of(Bench.java(), "-javaagent:" + agent + "=" + denyAll, "-cp", jar,
                Hello.class.getName());
        List<String> socket = List.of(Bench.java(), "-cp", jar, FirstSocket.class.getName());
        List<String> socketAgent = List.of(Bench.java(), "-javaagent:" + agent + "=" + oneSocket, "-cp", jar,
                FirstSocket.class.getName());
        List<String> helloAgentSocketPolicy = List.of(Bench.java(), "-javaagent:" + agent + "=" + oneSocket, "-cp", jar,
                Hello.class.getName());

        // The AOT cache (JEP 483/514), trained the documented way: bare without the agent, confined
        // with it on the command line (a training policy that may write the cache's folder), then
        // mapped read-only (docs/performance.md, "AOT cache and CDS archives").
        Path aotDir = Files.createDirectories(dir.resolve("aot"));
        Path training = Files.writeString(dir.resolve("training.json"),
                "{\"version\": 1, \"filesystem\": [{\"path\": \"" + aotDir + "\", \"allow\": [\"read\", \"write\"]}]}");
        Path bareCache = aotDir.resolve("bare.aot");
        Path agentCache = aotDir.resolve("agent.aot");
        Bench.output(List.of(Bench.java(), "-XX:AOTCacheOutput=" + bareCache, "-cp", jar, Hello.class.getName()));
        Bench.output(List.of(Bench.java(), "-XX:AOTCacheOutput=" + agentCache, "-javaagent:" + agent + "=" + training,
                "-cp", jar, Hello.class.getName()));
        if (!Files.isRegularFile(bareCache) || !Files.isRegularFile(agentCache)) {
            throw new IllegalStateException("training the AOT caches made no cache in " + aotDir);
        }
        List<String> helloCache = List.of(Bench.java(), "-XX:AOTCache=" + bareCache, "-cp", jar, Hello.class.getName());
        List<String> helloAgentCache = List.of(Bench.java(), "-XX:AOTCache=" + agentCache, "-javaagent:" + agent + "=" + denyAll,
                "-cp", jar, Hello.class.getName());

        List<Comparison> comparisons = List.of(
                new Comparison("Hello, deny-all policy: agent over bare", new Side("java Hello", hello),
                        new Side("java -javaagent Hello", helloAgent), 250, 15, 6),
                new Comparison("Hello with its AOT cache: agent over bare, each cache trained its way",
                        new Side("java -XX:AOTCache Hello", helloCache),
                        new Side("java -XX:AOTCache -javaagent Hello", helloAgentCache), -1, -1, 4),
                new Comparison("first socket: `new ServerSocket(0)` over Hello, both under the agent",
                        new Side("agent Hello", helloAgentSocketPolicy), new Side("agent FirstSocket", socketAgent), 250, -1),
                new Comparison("FirstSocket: agent over bare (for reference)", new Side("java FirstSocket", socket),
                        new Side("java -javaagent FirstSocket", socketAgent), -1, -1));

        // --only N: the first N comparisons (the kernel guest measures the first one only).
        comparisons = comparisons.subList(0, Math.min(comparisons.size(), Bench.intArg(args, "--only", comparisons.size())));
        // --baseline-agent JAR: this agent against another build of it (the previous main, say), side by side.
        String baseline = stringArg(args, "--baseline-agent");
        if (baseline != null) {
            List<String> helloBaseline = List.of(Bench.java(), "-javaagent:" + Path.of(baseline).toAbsolutePath() + "=" + denyAll,
                    "-cp", jar, Hello.class.getName());
            comparisons = new ArrayList<>(comparisons);
            comparisons.add(new Comparison("Hello, deny-all policy: this agent over " + Path.of(baseline).getFileName(),
                    new Side("baseline agent Hello", helloBaseline), new Side("java -javaagent Hello", helloAgent), 10, 2));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Comparison c : comparisons) {
            outcomes.add(measure(c, runs, warmup));
        }
        String phases = phases(helloAgent, socketAgent);

        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(Bench.machine()).append(". ").append(runs)
                .append(" runs of each side in alternation after ").append(warmup)
                .append(" warm-up pairs; wall time in ms and peak RSS in MiB, median (p25–p75).\n\n");
        md.append("| scenario | A | B | A ms | B ms | overhead ms | budget | B/A | budget | A MiB | B MiB | overhead MiB | budget |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            Comparison c = o.c();
            md.append("| ").append(c.scenario()).append(" | `").append(c.a().label()).append("` | `").append(c.b().label())
                    .append("` | ").append(Bench.spread(o.aMs())).append(" | ").append(Bench.spread(o.bMs()))
                    .append(" | ").append(Bench.f0(o.overheadMs())).append(" | ").append(verdict(o.overheadMs(), c.wallBudgetMs(), "ms"))
                    .append(" | ").append(Bench.f1(o.ratio())).append("×").append(" | ").append(verdict(o.ratio(), c.ratioBudget(), "×"))
                    .append(" | ").append(rss(o.aRss())).append(" | ").append(rss(o.bRss()))
                    .append(" | ").append(o.aRss().isEmpty() ? "n/a" : Bench.f1(o.overheadRssMib()))
                    .append(" | ").append(o.aRss().isEmpty() ? "n/a" : verdict(o.overheadRssMib(), c.rssBudgetMib(), "MiB"))
                    .append(" |\n");
        }
        md.append("\nWhere the agent's time goes (`-Dlandlock.timing=true`, one run each):\n\n```\n").append(phases).append("```\n");
        System.out.print(md);
        Files.writeString(Bench.resultsDir().resolve("startup.md"), md);
    }

    static Outcome measure(Comparison c, int runs, int warmup) throws Exception {
        List<Double> aMs = new ArrayList<>();
        List<Double> bMs = new ArrayList<>();
        List<Double> aRss = new ArrayList<>();
        List<Double> bRss = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
            Bench.Run a = Bench.run(c.a().command());
            Bench.Run b = Bench.run(c.b().command());
            if (i < warmup) {
                continue;
            }
            aMs.add(a.millis());
            bMs.add(b.millis());
            if (a.peakRssKib() > 0 && b.peakRssKib() > 0) {
                aRss.add((double) a.peakRssKib());
                bRss.add((double) b.peakRssKib());
            }
        }
        return new Outcome(c, aMs, bMs, aRss, bRss);
    }

    private static String phases(List<String> helloAgent, List<String> socketAgent) throws Exception {
        StringBuilder b = new StringBuilder();
        for (List<String> cmd : List.of(helloAgent, socketAgent)) {
            List<String> timed = new ArrayList<>(cmd);
            timed.add(1, "-Dlandlock.timing=true");
            for (String line : Bench.output(timed).lines().toList()) {
                if (line.contains("timing (")) {
                    b.append(line).append('\n');
                }
            }
        }
        return b.toString();
    }

    private static String stringArg(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
    }

    private static String rss(List<Double> kib) {
        if (kib.isEmpty()) {
            return "n/a";
        }
        return Bench.f1(Bench.median(kib) / 1024);
    }

    static String verdict(double value, double budget, String unit) {
        if (budget < 0) {
            return "–";
        }
        return (value <= budget ? "≤ " : "> ") + Bench.f0(budget) + " " + unit + (value <= budget ? ": met" : ": **missed**");
    }
}
