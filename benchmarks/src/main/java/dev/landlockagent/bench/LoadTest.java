package dev.landlockagent.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP throughput: the http-server sample, bare and confined by its own policy, loaded by wrk from
 * another process on loopback (64 connections), in alternation. Reports requests per second, the
 * requests and errors wrk counted, and the server's descriptors and threads before and after.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.landlockagent.bench.LoadTest [--seconds N] [--rounds N]</pre>
 */
public final class LoadTest {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("([0-9]+) requests in");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    private LoadTest() {
    }

    record Round(double rps, long requests, long errors, int fdsBefore, int fdsAfter, int threadsBefore, int threadsAfter) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Bench.intArg(args, "--seconds", 15);
        int rounds = Bench.intArg(args, "--rounds", 2);
        String wrk = findWrk();
        Path root = Bench.projectRoot();
        Path sample = root.resolve("sample-apps/http-server");
        Path serverJar = sample.resolve("target/http-server.jar");
        if (!Files.isRegularFile(serverJar)) {
            throw new IllegalStateException("no " + serverJar + ": build the project first");
        }
        List<Round> bare = new ArrayList<>();
        List<Round> confined = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            bare.add(round(wrk, seconds, sample, serverJar, false));
            confined.add(round(wrk, seconds, sample, serverJar, true));
        }
        double a = Bench.median(bare.stream().map(Round::rps).toList());
        double b = Bench.median(confined.stream().map(Round::rps).toList());
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(Bench.machine()).append(". `wrk -t2 -c64 -d").append(seconds)
                .append("s` against `GET /index.html` of the http-server sample (4 worker threads), after a warm-up")
                .append(" at the same load of up to 10 s; ").append(rounds).append(" rounds per side in alternation.\n\n| side | round | requests/s | requests | errors | fds before → after | threads before → after |\n|---|---|---|---|---|---|---|\n");
        for (int r = 0; r < rounds; r++) {
            row(md, "bare", r + 1, bare.get(r));
            row(md, "with the agent", r + 1, confined.get(r));
        }
        double pct = b / a * 100;
        md.append("\nMedian throughput with the agent: ").append(String.format(Locale.ROOT, "%.1f %%", pct))
                .append(" of bare (budget ≥ 97 %: ").append(pct >= 97 ? "met" : "**missed**").append(").\n");
        System.out.print(md);
        Files.writeString(Bench.resultsDir().resolve(seconds < 5 ? "load-smoke.md" : "load.md"), md);
        long errors = confined.stream().mapToLong(Round::errors).sum() + bare.stream().mapToLong(Round::errors).sum();
        if (errors > 0) {
            throw new IllegalStateException(errors + " errors under load; see the table above");
        }
    }

    private static void row(StringBuilder md, String side, int round, Round x) {
        md.append("| ").append(side).append(" | ").append(round).append(" | ").append(Bench.f0(x.rps())).append(" | ")
                .append(x.requests()).append(" | ").append(x.errors()).append(" | ").append(x.fdsBefore()).append(" → ")
                .append(x.fdsAfter()).append(" | ").append(x.threadsBefore()).append(" → ").append(x.threadsAfter()).append(" |\n");
    }

    private static Round round(String wrk, int seconds, Path sample, Path serverJar, boolean withAgent) throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Bench.java(), "-Xms256m", "-Xmx256m"));
        if (withAgent) {
            // The sample's own policy, with this run's port instead of 8080.
            Path policy = Bench.tempDir("landlock-load-").resolve("policy.json");
            Files.writeString(policy, Files.readString(sample.resolve("policy.json"))
                    .replace("\"www\"", "\"" + sample.resolve("www") + "\"")
                    .replace("[8080]", "[" + port + "]")
                    .replace("\"$schema\": \"../../docs/policy.schema.json\",", ""));
            cmd.add("-javaagent:" + Bench.agentJar() + "=" + policy);
        }
        cmd.addAll(List.of("-jar", serverJar.toString(), sample.resolve("www").toString(), String.valueOf(port)));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream()));
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.startsWith("serving")) {
                seen.append(line).append('\n');
            }
            if (line == null) {
                throw new IllegalStateException("the server did not start: " + String.join(" ", cmd) + "\n" + seen);
            }
            Thread.ofPlatform().daemon().start(() -> drain(out));
            String url = "http://127.0.0.1:" + port + "/index.html";
            // Warm-up at full load, so that the JIT compilers are done before the measurement (they
            // take a core of this 2-core machine for seconds) and the server has its steady threads.
            Bench.output(List.of(wrk, "-t2", "-c64", "-d" + Math.max(1, Math.min(10, seconds)) + "s", url));
            int fds0 = settledFds(server.pid());
            int threads0 = threads(server.pid());
            String report = Bench.output(List.of(wrk, "-t2", "-c64", "-d" + seconds + "s", url));
            int fds1 = settledFds(server.pid());
            int threads1 = threads(server.pid());
            return new Round(number(RPS, report), (long) number(TOTAL, report), errors(report), fds0, fds1, threads0, threads1);
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static long errors(String report) {
        long n = 0;
        Matcher m = SOCKET_ERRORS.matcher(report);
        if (m.find()) {
            for (int i = 1; i <= 4; i++) {
                n += Long.parseLong(m.group(i));
            }
        }
        Matcher x = NON_2XX.matcher(report);
        if (x.find()) {
            n += Long.parseLong(x.group(1));
        }
        return n;
    }

    private static double number(Pattern p, String report) {
        Matcher m = p.matcher(report);
        if (!m.find()) {
            throw new IllegalStateException("cannot read " + p + " in wrk's report:\n" + report);
        }
        return Double.parseDouble(m.group(1));
    }

    /**
     * The server's descriptor count once wrk's connections are gone: the count when it has not
     * changed for half a second (at most 10 s), so that a leak shows and a closing connection does not.
     */
    private static int settledFds(long pid) throws IOException, InterruptedException {
        int last = fds(pid);
        int stable = 0;
        for (int i = 0; i < 100 && stable < 5; i++) {
            Thread.sleep(100);
            int now = fds(pid);
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    private static int fds(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) s.count();
        }
    }

    private static int threads(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (l.startsWith("Threads:")) {
                return Integer.parseInt(l.substring(8).strip());
            }
        }
        return -1;
    }

    private static void drain(BufferedReader r) {
        try {
            while (r.readLine() != null) {
                // the server's log: not measured
            }
        } catch (IOException ignored) {
            // the server exited
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String findWrk() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "wrk");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException("wrk is not installed (Debian: apt-get install wrk; or scripts/install-test-tools)");
    }
}
