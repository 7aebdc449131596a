package dev.landlockagent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What each idiom the agent's start-up path avoids costs on first use in a fresh JVM, side by side
 * with the form the agent uses (docs/start-up-path.md): {@link dev.landlockagent.bench.idiom.FirstUse}
 * in {@code --runs} fresh JVMs per idiom, the median. Writes {@code results/idioms.md}.
 */
public final class IdiomBench {
    /** Each idiom, then its counterpart: the cheap form. */
    private static final String[][] PAIRS = {
            {"lambda", "anonymous-class"},
            {"indy-concat", "string-builder"},
            {"pattern-switch", "instanceof-chain"},
            {"record-hashcode", "hand-written-hashcode"},
            {"method-invoke", "method-handle"},
            {"stream", "loop"},
            {"runtime-version", "version-property"},
            {"process-handle-pid", "proc-self-pid"},
    };

    private IdiomBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 11;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[++i]);
            }
        }
        StringBuilder table = new StringBuilder("| idiom | first use, ms | instead | first use, ms |\n|---|---:|---|---:|\n");
        for (String[] pair : PAIRS) {
            // Interleaved, so that both sides of a pair meet the same machine.
            List<Double> idiom = new ArrayList<>();
            List<Double> instead = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                idiom.add(firstUse(pair[0]));
                instead.add(firstUse(pair[1]));
            }
            table.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %.2f |%n", pair[0], Bench.median(idiom), pair[1],
                    Bench.median(instead)));
        }
        String out = "First use of each idiom in a fresh JVM (" + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version") + ", default CDS archive), median of " + runs + " JVMs:\n\n" + table;
        System.out.print(out);
        Path file = Bench.resultsDir().resolve("idioms.md");
        Files.writeString(file, out);
        System.err.println("written to " + file);
    }

    private static double firstUse(String idiom) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Bench.java(), "-cp", Bench.selfJar().toString(),
                dev.landlockagent.bench.idiom.FirstUse.class.getName(), idiom).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(idiom + ": " + output);
        }
        return Long.parseLong(output.split(" ")[0]) / 1e6;
    }
}
