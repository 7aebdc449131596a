package dev.landlockagent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a learn run costs (docs/learn.md), side by side with the bare and the confined JVM, runs
 * interleaved: the wall time and peak RSS of Hello, and the time per open + read + close of a
 * file ({@link dev.landlockagent.bench.programs.FileOpens}), a syscall the learn run records.
 * Writes {@code results/learn.md}.
 */
public final class LearnBench {
    private LearnBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 7;
        int opens = 20_000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--opens")) {
                opens = Integer.parseInt(args[++i]);
            }
        }
        Path dir = Bench.tempDir("landlock-learn-bench-");
        Path file = Files.writeString(dir.resolve("read.txt"), "x");
        Path deny = Files.writeString(dir.resolve("deny.json"), "{\"version\": 1, \"filesystem\": [{\"path\": \"" + file
                + "\", \"allow\": [\"read\"]}]}");
        String[] modes = {"bare", "confined", "learn"};
        List<List<Bench.Run>> hello = new ArrayList<>();
        List<List<Double>> perOpen = new ArrayList<>();
        for (int m = 0; m < modes.length; m++) {
            hello.add(new ArrayList<>());
            perOpen.add(new ArrayList<>());
        }
        for (int r = 0; r < runs; r++) {
            for (int m = 0; m < modes.length; m++) {
                hello.get(m).add(Bench.run(command(modes[m], deny, dir, r, dev.landlockagent.bench.programs.Hello.class.getName())));
                perOpen.get(m).add(opens(command(modes[m], deny, dir, r, dev.landlockagent.bench.programs.FileOpens.class.getName(),
                        file.toString(), Integer.toString(opens))));
            }
        }
        StringBuilder table = new StringBuilder("| | Hello, median ms | peak RSS, MiB | open + read + close, us |\n|---|---:|---:|---:|\n");
        for (int m = 0; m < modes.length; m++) {
            List<Double> ms = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            for (Bench.Run run : hello.get(m)) {
                ms.add(run.millis());
                rss.add(run.peakRssKib() / 1024.0);
            }
            table.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %.1f |%n", modes[m], Bench.median(ms),
                    Bench.haveGnuTime() ? String.format(Locale.ROOT, "%.1f", Bench.median(rss)) : "n/a",
                    Bench.median(perOpen.get(m)) / 1000.0));
        }
        String out = "Learn runs against the bare and the confined JVM (" + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version") + "), medians of " + runs + " runs each, interleaved; "
                + opens + " calls after 2,000 warm-up calls:\n\n" + table;
        System.out.print(out);
        Path results = Bench.resultsDir().resolve("learn.md");
        Files.writeString(results, out);
        System.err.println("written to " + results);
    }

    private static List<String> command(String mode, Path deny, Path dir, int run, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Bench.java()));
        switch (mode) {
            case "confined" -> cmd.add("-javaagent:" + Bench.agentJar() + "=" + deny);
            case "learn" -> {
                Path policy = dir.resolve("learned-" + run + "-" + main.hashCode() + ".json");
                Files.deleteIfExists(policy);
                cmd.add("-javaagent:" + Bench.agentJar() + "=learn:" + policy);
            }
            default -> {
            }
        }
        cmd.addAll(List.of("-cp", Bench.programsJar().toString(), main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The per-call nanoseconds FileOpens prints (its last stdout line). */
    private static double opens(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + " from " + String.join(" ", command) + "\n" + out);
        }
        String[] lines = out.split("\n");
        return Double.parseDouble(lines[lines.length - 1].strip());
    }
}
