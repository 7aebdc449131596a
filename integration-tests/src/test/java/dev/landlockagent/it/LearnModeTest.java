package dev.landlockagent.it;

import dev.landlockagent.it.apps.FfmFiles;
import dev.landlockagent.it.apps.JettyApp;
import dev.landlockagent.it.apps.ShellCat;
import dev.landlockagent.it.apps.TrustedPlugin;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Learn mode, as a user runs it: learn a policy from a run of the workload, then enforce exactly
 * that policy on the same workload: the application behaves the same, with no denial, and what
 * the workload never touched (a file beside the one it read, a database outside its folder) is
 * still denied. Native code (FFM) and child processes are learned too, which no Java-level hook sees.
 */
@RequiresLandlock(abi = 4)
class LearnModeTest {
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static SandboxedJvm learning(Path policy) {
        return SandboxedJvm.withAgentArgument("learn:" + policy);
    }

    /** docs/policy.schema.json, read by a JSON Schema validator from Maven Central. */
    private static final com.networknt.schema.Schema POLICY_SCHEMA;

    static {
        try {
            POLICY_SCHEMA = com.networknt.schema.SchemaRegistry.withDefaultDialect(com.networknt.schema.SpecificationVersion.DRAFT_2020_12)
                    .getSchema(Files.readString(Path.of("..", "docs", "policy.schema.json")));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertValid(Path policy) throws IOException {
        List<com.networknt.schema.Error> errors = POLICY_SCHEMA.validate(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(policy)));
        assertEquals(List.of(), errors, "valid against docs/policy.schema.json: " + Files.readString(policy));
    }

    private static void assertLearned(SandboxedJvm.Result learn, Path policy) throws IOException {
        assertTrue(learn.stderr().contains("landlock-agent: LEARN RUN: this JVM is NOT confined"), learn.describe());
        assertTrue(learn.stderr().contains("landlock-agent: learn: wrote " + policy), learn.describe());
        assertTrue(Files.isRegularFile(policy), learn.describe());
        assertValid(policy);
        String report = Files.readString(policy.resolveSibling(policy.getFileName().toString().replace(".json", ".report.md")));
        assertTrue(report.contains("| rule | status | first needed by | thread |"), report);
    }

    /** The agent's WARN lines, in its own format or through the application's logging (Spring Boot's). */
    private static List<String> warnings(SandboxedJvm.Result r) {
        return (r.stdout() + r.stderr()).lines().filter(l -> l.contains("landlock-agent") && l.contains("WARN")).toList();
    }

    private static void assertNoDenials(SandboxedJvm.Result r) {
        assertEquals(List.of(), warnings(r), r.describe());
    }

    @Test
    void filesAndSocketsOpenedOnlyThroughFfmAreLearnedAndTheNextFileIsStillDenied(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path read = Files.writeString(data.resolve("read.txt"), "read");
        Path beside = Files.writeString(data.resolve("beside.txt"), "beside");
        Path policy = tmp.resolve("policy.json");
        SandboxedJvm.Result learn = learning(policy).jvmOptions("--enable-native-access=ALL-UNNAMED")
                .classpath(Probes.testClasses()).run(FfmFiles.class.getName(), read.toString());
        assertEquals("open ok, socket ok", learn.stdout().strip(), learn.describe());
        assertLearned(learn, policy);
        String json = Files.readString(policy);
        assertTrue(json.contains("\"allow\": [\"read\"]") && json.contains("read.txt"), json);
        assertTrue(json.contains("{\"domain\": \"inet6\", \"type\": \"dgram\", \"protocol\": \"udp\"}"), json);
        assertTrue(Files.readString(tmp.resolve("policy.report.md")).contains(FfmFiles.class.getName() + ".main"),
                "the report names the Java method that made the native calls");

        SandboxedJvm.Result enforced = SandboxedJvm.withPolicy(policy).jvmOptions("--enable-native-access=ALL-UNNAMED")
                .classpath(Probes.testClasses()).run(FfmFiles.class.getName(), read.toString());
        assertEquals("open ok, socket ok", enforced.stdout().strip(), enforced.describe());
        assertNoDenials(enforced);
        SandboxedJvm.Result untouched = SandboxedJvm.withPolicy(policy).jvmOptions("--enable-native-access=ALL-UNNAMED")
                .classpath(Probes.testClasses()).run(FfmFiles.class.getName(), beside.toString());
        assertEquals("open denied, socket ok", untouched.stdout().strip(), untouched.describe());
    }

    /**
     * The kinds of socket a 32-bit (i386) process creates are learned too, and held to, as those of
     * the JVM's own ABI. (x32 needs a kernel built with it; i386's socketcall is denied whatever the
     * policy: its arguments are in memory no filter can read.)
     */
    @Test
    void socketsMadeThroughThe32BitAbiAreLearnedToo(@TempDir Path tmp) throws Exception {
        Path policy = tmp.resolve("policy.json");
        String probe = "dev.landlockagent.it.probe.SocketProbe";
        String[] workload = {"native-socket", "16", "3", "0", "i386-socket", "10", "2", "0"};
        SandboxedJvm.Result learn = learning(policy).jvmOptions("--enable-native-access=ALL-UNNAMED")
                .classpath(Probes.testClasses()).run(probe, workload);
        assertLearned(learn, policy);
        String json = Files.readString(policy);
        for (String kind : List.of("{\"domain\": \"netlink\", \"type\": \"raw\", \"protocol\": \"route\"}",
                "{\"domain\": \"inet6\", \"type\": \"dgram\", \"protocol\": \"udp\"}")) {
            assertTrue(json.contains(kind), kind + " in " + json);
        }
        SandboxedJvm.Result enforced = SandboxedJvm.withPolicy(policy).jvmOptions("--enable-native-access=ALL-UNNAMED")
                .classpath(Probes.testClasses()).run(probe, workload);
        assertEquals(2, enforced.stdout().lines().filter(l -> l.startsWith("RESULT") && l.contains(" OK")).count(), enforced.describe());
        SandboxedJvm.Result other = SandboxedJvm.withPolicy(policy).jvmOptions("--enable-native-access=ALL-UNNAMED")
                .classpath(Probes.testClasses()).run(probe, "i386-socket", "1", "5", "0");
        assertTrue(other.stdout().contains("DENIED errno 13"), "a kind the run never made: " + other.describe());
    }

    /**
     * What a learn run does not see, measured: a file a 32-bit (i386) syscall opens is not recorded
     * (docs/learn.md), so the learned policy does not allow it, and the confined JVM is denied it,
     * while the same file opened through the JVM's own ABI is learned.
     */
    @Test
    void aFileOpenedThroughThe32BitAbiIsNotLearned(@TempDir Path tmp) throws Exception {
        Path unseen = Files.writeString(tmp.resolve("unseen.txt"), "x");
        Path policy = tmp.resolve("policy.json");
        String probe = "dev.landlockagent.it.probe.SocketProbe";
        SandboxedJvm.Result learn = learning(policy).jvmOptions("--enable-native-access=ALL-UNNAMED")
                .classpath(Probes.testClasses()).run(probe, "i386-open", unseen.toString());
        assertTrue(learn.stdout().contains("RESULT i386-open " + unseen + " OK"), learn.describe());
        assertLearned(learn, policy);
        assertFalse(Files.readString(policy).contains("unseen.txt"), Files.readString(policy));
        SandboxedJvm.Result enforced = SandboxedJvm.withPolicy(policy).jvmOptions("--enable-native-access=ALL-UNNAMED")
                .classpath(Probes.testClasses()).run(probe, "i386-open", unseen.toString());
        assertTrue(enforced.stdout().contains("RESULT i386-open " + unseen + " DENIED errno 13"), enforced.describe());
    }

    @Test
    void whatAShellChildReadsIsLearnedWithTheChildNamed(@TempDir Path tmp) throws Exception {
        Path read = Files.writeString(tmp.resolve("read.txt"), "secret");
        Path beside = Files.writeString(tmp.resolve("beside.txt"), "beside");
        Path policy = tmp.resolve("policy.json");
        SandboxedJvm.Result learn = learning(policy).classpath(Probes.testClasses()).run(ShellCat.class.getName(), read.toString());
        assertEquals("child said: secret; exit 0", learn.stdout().strip(), learn.describe());
        assertLearned(learn, policy);
        String report = Files.readString(tmp.resolve("policy.report.md"));
        assertTrue(report.contains("child process `cat " + read + "`, pid "), report);
        assertTrue(report.contains(ShellCat.class.getName() + ".main") && report.contains("starting a process"), report);

        SandboxedJvm.Result enforced = SandboxedJvm.withPolicy(policy).classpath(Probes.testClasses())
                .run(ShellCat.class.getName(), read.toString());
        assertEquals("child said: secret; exit 0", enforced.stdout().strip(), enforced.describe());
        assertNoDenials(enforced);
        SandboxedJvm.Result untouched = SandboxedJvm.withPolicy(policy).classpath(Probes.testClasses())
                .run(ShellCat.class.getName(), beside.toString());
        assertTrue(untouched.stdout().contains("Permission denied") && untouched.stdout().contains("exit 1"), untouched.describe());
    }

    /** A service that never exits: the policy is there at the interval, and again when SIGINT ends the JVM. */
    @Test
    void thePolicyIsWrittenAtTheIntervalAndWhenSigintEndsTheJvm(@TempDir Path tmp) throws Exception {
        Path read = Files.writeString(tmp.resolve("read.txt"), "read");
        Path policy = tmp.resolve("policy.json");
        SandboxedJvm.Running jvm = SandboxedJvm.withAgentArgument("learn:" + policy + ",interval=1s")
                .classpath(Probes.testClasses()).start(ShellCat.class.getName(), read + "; sleep 8");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(Files.exists(policy) && Files.readString(policy).contains("read.txt")) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.readString(policy).contains("read.txt"), "written at the interval, while the JVM runs");
        assertTrue(jvm.process().isAlive());
        new ProcessBuilder("kill", "-INT", Long.toString(jvm.pid())).start().waitFor();
        assertTrue(jvm.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "SIGINT ends the JVM");
        SandboxedJvm.Result r = jvm.await();
        assertTrue(r.stderr().contains("landlock-agent: learn: wrote " + policy), r.describe());
        assertTrue(Files.readString(policy).contains("/usr/bin/sleep"), "what the children ran: " + Files.readString(policy));
    }

    /** No root needed: as an ordinary user, the supervisor reads the JVM (its child names it ptracer) and the filter takes no_new_privs. */
    @Test
    void anOrdinaryUserLearnsToo() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "learn-as-user");
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Path read = Files.writeString(dir.resolve("read.txt"), "as nobody");
            Path policy = dir.resolve("policy.json");
            SandboxedJvm.Result learn = learning(policy).asUser(65534, 65534).classpath(Probes.testClasses())
                    .run(ShellCat.class.getName(), read.toString());
            assertEquals("child said: as nobody; exit 0", learn.stdout().strip(), learn.describe());
            assertLearned(learn, policy);
            assertTrue(Files.readString(dir.resolve("policy.report.md")).contains("child process `cat " + read + "`"),
                    Files.readString(dir.resolve("policy.report.md")));
            SandboxedJvm.Result enforced = SandboxedJvm.withPolicy(policy).asUser(65534, 65534).classpath(Probes.testClasses())
                    .run(ShellCat.class.getName(), read.toString());
            assertEquals("child said: as nobody; exit 0", enforced.stdout().strip(), enforced.describe());
            assertNoDenials(enforced);
        } finally {
            deleteTree(dir);
        }
    }

    /** A second run with more work merges into the first policy and says what it added; it never loses a rule. */
    @Test
    void aSecondRunMergesIntoThePolicyAndSaysWhatItAdded(@TempDir Path tmp) throws Exception {
        Path one = Files.writeString(tmp.resolve("one.txt"), "1");
        Path two = Files.writeString(tmp.resolve("two.txt"), "2");
        Path policy = Files.writeString(tmp.resolve("policy.json"), """
                {"version": 1,
                 "filesystem": [{"path": "%s", "allow": ["read"]}],
                 "network": {"tcp": {"connect": [443]}}}
                """.formatted(one));
        SandboxedJvm.Result learn = learning(policy).classpath(Probes.testClasses()).run(ShellCat.class.getName(), one + " " + two);
        assertTrue(learn.stderr().contains("landlock-agent: learn: merged into " + policy), learn.describe());
        assertTrue(learn.stderr().contains("added: {\"path\": \"${java.io.tmpdir}") || learn.stderr().contains("added: {\"path\": \"" + two),
                learn.describe());
        String json = Files.readString(policy);
        assertTrue(json.contains(one.toString()) && json.contains("\"connect\": [443]"), "nothing of the first policy is lost: " + json);
        assertTrue(json.contains("two.txt"), json);
        assertValid(policy);
        SandboxedJvm.Result enforced = SandboxedJvm.withPolicy(policy).classpath(Probes.testClasses())
                .run(ShellCat.class.getName(), one + " " + two);
        assertTrue(enforced.stdout().contains("exit 0"), enforced.describe());
    }

    @Test
    void learnModeIsRefusedFromThePropertyAndByAPolicyThatForbidsIt(@TempDir Path tmp) throws Exception {
        Path policy = tmp.resolve("policy.json");
        SandboxedJvm.Result property = SandboxedJvm.withoutAgentArgument().jvmOptions("-Dlandlock.policy=learn:" + policy)
                .classpath(Probes.testClasses()).run(ShellCat.class.getName(), "/dev/null");
        assertEquals(78, property.exitCode(), property.describe());
        assertTrue(property.stderr().contains("learn and suggest runs are started only by the agent argument"), property.describe());
        assertFalse(Files.exists(policy));

        Files.writeString(policy, "{\"version\": 1, \"learning\": false}");
        SandboxedJvm.Result forbidden = learning(policy).classpath(Probes.testClasses()).run(ShellCat.class.getName(), "/dev/null");
        assertEquals(78, forbidden.exitCode(), forbidden.describe());
        assertTrue(forbidden.stderr().contains("says \"learning\": false, so no learn run may write into it"), forbidden.describe());
        assertFalse(forbidden.stdout().contains("child said"), forbidden.describe());
    }

    @Test
    void jettyLearnedServesTheSameWithoutDenialsAndTheFileBesideStaysDenied(@TempDir Path tmp) throws Exception {
        Path lib = Path.of(System.getProperty("landlock.apps", "target/apps"), "jetty", "lib").toAbsolutePath();
        Path data = Files.createDirectories(tmp.resolve("site"));
        Path page = Files.writeString(data.resolve("page.txt"), "a page");
        Path beside = Files.writeString(data.resolve("private.txt"), "private");
        Path policy = tmp.resolve("policy.json");
        int port = freePort();
        String cp = Probes.testClasses().toAbsolutePath() + ":" + lib + "/*";
        HttpClient http = HttpClient.newHttpClient();
        SandboxedJvm.Running learn = learning(policy).jvmOptions("-cp", cp).start(JettyApp.class.getName(), Integer.toString(port));
        try {
            learn.awaitLine("READY", Duration.ofSeconds(90));
            assertEquals("hello from jetty", get(http, port, "/").body());
            assertEquals("a page", get(http, port, "/file?path=" + page).body());
        } finally {
            learn.terminate();
        }
        assertLearned(learn.await(), policy);

        SandboxedJvm.Running enforced = SandboxedJvm.withPolicy(policy).jvmOptions("-cp", cp)
                .start(JettyApp.class.getName(), Integer.toString(port));
        HttpResponse<String> other;
        try {
            enforced.awaitLine("READY", Duration.ofSeconds(90));
            assertEquals("hello from jetty", get(http, port, "/").body());
            assertEquals("a page", get(http, port, "/file?path=" + page).body());
            other = get(http, port, "/file?path=" + beside);
        } finally {
            enforced.terminate();
        }
        SandboxedJvm.Result r = enforced.await();
        assertEquals(403, other.statusCode(), other.body());
        assertEquals(1, warnings(r).size(), "only the file the workload never read: " + r.describe());
        assertTrue(warnings(r).get(0).contains("denied read " + beside), r.describe());
    }

    @Test
    void springBootFatJarLearnedServesTheSameWithoutDenials(@TempDir Path tmp) throws Exception {
        Path sample = SamplesTest.sample("spring-boot-service");
        Path jar = SamplesTest.jar("spring-boot-service");
        Path policy = tmp.resolve("policy.json");
        int port = freePort();
        HttpClient http = HttpClient.newHttpClient();
        List<String> learnCommand = List.of(SandboxedJvm.java().toString(),
                "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=learn:" + policy, "-jar", jar.toString(), "--server.port=" + port);
        SandboxedJvm.Running learn = SandboxedJvm.withAgentArgument("unused").workingDirectory(sample).start(learnCommand);
        try {
            learn.awaitLine("serving on", Duration.ofSeconds(120));
            assertEquals("hello from spring boot", get(http, port, "/").body());
            assertEquals(200, get(http, port, "/notes/hello.txt").statusCode());
        } finally {
            learn.terminate();
        }
        assertLearned(learn.await(), policy);

        SandboxedJvm.Running enforced = SandboxedJvm.withPolicy(policy).workingDirectory(sample).start(List.of(
                SandboxedJvm.java().toString(), "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=" + policy,
                "-jar", jar.toString(), "--server.port=" + port));
        HttpResponse<String> hostname;
        try {
            enforced.awaitLine("serving on", Duration.ofSeconds(120));
            assertEquals("hello from spring boot", get(http, port, "/").body());
            assertEquals(200, get(http, port, "/notes/hello.txt").statusCode());
            hostname = get(http, port, "/file?path=/etc/hostname");
        } finally {
            enforced.terminate();
        }
        SandboxedJvm.Result r = enforced.await();
        assertEquals(403, hostname.statusCode(), hostname.body());
        assertEquals(1, warnings(r).size(), "only the file the workload never read: " + r.describe());
    }

    @Test
    void derbysNetworkServerLearnedServesSqlWithoutDenialsAndADatabaseOutsideStaysDenied(@TempDir Path tmp) throws Exception {
        Path lib = Path.of(System.getProperty("landlock.apps", "target/apps"), "derby", "lib").toAbsolutePath();
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path policy = tmp.resolve("policy.json");
        int port = freePort();
        SandboxedJvm.Running learn = learning(policy).jvmOptions("-Dderby.system.home=" + home, "-cp", lib + "/*")
                .start("org.apache.derby.drda.NetworkServerControl", "start", "-h", "127.0.0.1", "-p", Integer.toString(port));
        try {
            assertEquals("landlock", sql(port, "shop"));
        } finally {
            learn.terminate();
        }
        assertLearned(learn.await(), policy);
        deleteTree(home.resolve("shop"));

        SandboxedJvm.Running enforced = SandboxedJvm.withPolicy(policy).jvmOptions("-Dderby.system.home=" + home, "-cp", lib + "/*")
                .start("org.apache.derby.drda.NetworkServerControl", "start", "-h", "127.0.0.1", "-p", Integer.toString(port));
        try {
            assertEquals("landlock", sql(port, "shop"));
            org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                    () -> java.sql.DriverManager.getConnection("jdbc:derby://127.0.0.1:" + port + "/" + outside.resolve("db")
                            + ";create=true").close());
        } finally {
            enforced.terminate();
        }
        SandboxedJvm.Result r = enforced.await();
        assertTrue(warnings(r).get(0).contains("denied create folder " + outside.resolve("db")), r.describe());
        assertTrue(warnings(r).stream().allMatch(w -> w.contains(outside.toString())),
                "only the database outside its folder (Derby tries twice): " + r.describe());
    }

    // ------------------------------------------------------------------ the samples

    /** {@code java -javaagent:...=AGENT_ARGUMENT -jar sample.jar ARGS} in the sample's folder. */
    private static SandboxedJvm.Running sample(String name, String agentArgument, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(SandboxedJvm.java().toString(),
                "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=" + agentArgument, "-jar", SamplesTest.jar(name).toString()));
        cmd.addAll(List.of(args));
        return SandboxedJvm.unconfined().workingDirectory(SamplesTest.sample(name)).start(cmd);
    }

    @Test
    void theFileWorkerSampleLearnedProcessesItsFoldersAndCannotReadAnythingElse(@TempDir Path tmp) throws Exception {
        Path policy = tmp.resolve("policy.json");
        SandboxedJvm.Result learn = sample("file-worker", "learn:" + policy, "input", "output").await();
        assertTrue(learn.stdout().contains("fox.txt: 9 words"), learn.describe());
        assertLearned(learn, policy);
        SandboxedJvm.Result enforced = sample("file-worker", policy.toString(), "input", "output").await();
        assertEquals(0, enforced.exitCode(), enforced.describe());
        assertTrue(enforced.stdout().contains("fox.txt: 9 words"), enforced.describe());
        assertNoDenials(enforced);
        SandboxedJvm.Result other = sample("file-worker", policy.toString(), "input", "output", "/etc/hostname").await();
        assertTrue(other.stdout().contains("cannot read /etc/hostname: java.nio.file.AccessDeniedException"), other.describe());
    }

    /**
     * The self-sandboxed sample bundles the agent (Launcher-Agent-Class): under a learn run the
     * bundled copy stands down, because the kernel confirms a supervisor records the JVM; a
     * property that only claims one does not make it stand down.
     */
    @Test
    void theSelfSandboxedSampleIsLearnedUnconfinedAndItsBundledAgentStillConfinesOtherwise(@TempDir Path tmp) throws Exception {
        Path data = Files.writeString(tmp.resolve("data.txt"), "twelve bytes");
        Path beside = Files.writeString(tmp.resolve("beside.txt"), "beside");
        Path policy = tmp.resolve("policy.json");
        String bundled = "[landlock-agent] INFO confined by " + SamplesTest.jar("self-sandboxed") + "!/policy.json";
        SandboxedJvm.Result learn = sample("self-sandboxed", "learn:" + policy, data.toString()).await();
        assertEquals(0, learn.exitCode(), learn.describe());
        assertTrue(learn.stdout().contains("read " + data + ": 12 bytes"), learn.describe());
        assertTrue(learn.stderr().contains("landlock-agent: LEARN RUN: the agent bundled in " + SamplesTest.jar("self-sandboxed")
                + " does not confine this JVM while it is recorded"), learn.describe());
        assertFalse(learn.stderr().contains(bundled), learn.describe());
        assertLearned(learn, policy);
        assertTrue(Files.readString(policy).contains("data.txt"), Files.readString(policy));

        // the learned policy, enforced on the sample's classes (the bundled copy runs only with -jar)
        for (Path file : List.of(data, beside)) {
            SandboxedJvm.Result enforced = SandboxedJvm.unconfined().workingDirectory(SamplesTest.sample("self-sandboxed")).start(List.of(
                    SandboxedJvm.java().toString(), "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=" + policy,
                    "-cp", SamplesTest.jar("self-sandboxed").toString(), "dev.landlockagent.samples.selfsandboxed.SelfSandboxed",
                    file.toString())).await();
            assertEquals(0, enforced.exitCode(), enforced.describe());
            if (file.equals(data)) {
                assertTrue(enforced.stdout().contains("read " + data + ": 12 bytes"), enforced.describe());
                assertNoDenials(enforced);
            } else {
                assertTrue(enforced.stdout().contains("cannot read " + beside), enforced.describe());
            }
        }

        // without a learn run, a claimed supervisor (this test's own pid) changes nothing
        SandboxedJvm.Result claimed = SandboxedJvm.unconfined().workingDirectory(SamplesTest.sample("self-sandboxed")).start(List.of(
                SandboxedJvm.java().toString(), "-Dlandlock.learn.supervisor=" + ProcessHandle.current().pid(),
                "-jar", SamplesTest.jar("self-sandboxed").toString(), data.toString())).await();
        assertTrue(claimed.stderr().contains(bundled), claimed.describe());
        assertTrue(claimed.stdout().contains("cannot read " + data), claimed.describe());
    }

    /**
     * The plugin-host sample is learned with a plugin the operator trusts, the way a plugin host
     * should be; then its plugin is swapped for the hostile one, which the learned policy still
     * holds in: every escape is blocked. (Learning with the hostile plugin would record, and allow,
     * its escapes: a learn run is unconfined.) The first run makes the plugin's output folder, so
     * its rule lands on the working directory, which the report says how to narrow: the second run,
     * with the folder and its file there, learns a rule on that file alone.
     */
    @Test
    void thePluginHostLearnedWithATrustedPluginStillHoldsTheUntrustedOne(@TempDir Path tmp) throws Exception {
        Path host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(Files.createDirectories(host.resolve("plugin-data")).resolve("greeting.txt"), "hello, plugin");
        Path plugin = Probes.pluginJar(Files.createDirectories(host.resolve("plugins")).resolve("plugin.jar"), TrustedPlugin.class);
        Path first = tmp.resolve("first.json");
        SandboxedJvm.Result learn = pluginHost(host, "learn:" + first).await();
        assertEquals(0, learn.exitCode(), learn.describe());
        assertTrue(learn.stdout().contains("[trusted] read 13 characters") && learn.stdout().contains("the host is still fine"), learn.describe());
        assertLearned(learn, first);
        String report = Files.readString(tmp.resolve("first.report.md"));
        assertTrue(report.contains(TrustedPlugin.class.getName() + ".run"), "the report names the plugin's code: " + report);
        assertTrue(report.contains("## Rules to narrow\n\n- " + host.resolve("plugin-out") + " was made by the run"), report);

        Path policy = tmp.resolve("policy.json");
        assertLearned(pluginHost(host, "learn:" + policy).await(), policy);
        String learned = Files.readString(policy);
        assertTrue(learned.contains("{\"path\": \"${user.dir}/plugin-out/greeting.txt\", \"allow\": [\"write\"]}")
                && !learned.contains("\"${user.dir}\""), learned);

        Files.writeString(host.resolve("plugin-out/greeting.txt"), "");
        SandboxedJvm.Result enforced = pluginHost(host, policy.toString()).await();
        assertEquals(0, enforced.exitCode(), enforced.describe());
        assertTrue(enforced.stdout().contains("[trusted] read 13 characters"), enforced.describe());
        assertEquals("HELLO, PLUGIN", Files.readString(host.resolve("plugin-out/greeting.txt")));
        assertNoDenials(enforced);

        Files.copy(SamplesTest.jar("untrusted-plugin"), plugin, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        SandboxedJvm.Result hostile = pluginHost(host, policy.toString()).await();
        assertTrue(hostile.stdout().contains(" 0 escaped") && hostile.stdout().contains("the host is still fine"), hostile.describe());
        assertFalse(hostile.stdout().contains("ESCAPED"), hostile.describe());
        assertFalse(Files.exists(host.resolve("policy.json")), "the plugin did not write beside the host");
    }

    private static SandboxedJvm.Running pluginHost(Path workingDirectory, String agentArgument) {
        return SandboxedJvm.unconfined().workingDirectory(workingDirectory).start(List.of(SandboxedJvm.java().toString(),
                "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=" + agentArgument, "--enable-native-access=ALL-UNNAMED",
                "-jar", SamplesTest.jar("plugin-host").toString(), "plugins/plugin.jar"));
    }

    @Test
    void theHttpServerSampleLearnedServesItsFolderAndNothingBesideIt(@TempDir Path tmp) throws Exception {
        Path policy = tmp.resolve("policy.json");
        int port = freePort();
        String www = SamplesTest.sample("http-server").resolve("www").toString();
        HttpClient http = HttpClient.newHttpClient();
        SandboxedJvm.Running learn = sample("http-server", "learn:" + policy, www, Integer.toString(port));
        try {
            learn.awaitLine("serving", Duration.ofSeconds(60));
            assertEquals(200, get(http, port, "/").statusCode());
        } finally {
            learn.terminate();
        }
        assertLearned(learn.await(), policy);
        SandboxedJvm.Running enforced = sample("http-server", policy.toString(), www, Integer.toString(port));
        HttpResponse<String> escape;
        try {
            enforced.awaitLine("serving", Duration.ofSeconds(60));
            HttpResponse<String> page = get(http, port, "/");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("landlock-agent sample"), page.body());
            escape = get(http, port, "/" + "..%2F".repeat(24) + "etc%2Fhostname");
        } finally {
            enforced.terminate();
        }
        SandboxedJvm.Result r = enforced.await();
        assertEquals(403, escape.statusCode(), escape.body());
        assertTrue(warnings(r).stream().allMatch(w -> w.contains("/etc/hostname")), "only what it never served: " + r.describe());
    }

    @Test
    void theHttpClientSampleLearnedFetchesFromItsServerAndNoOtherPort(@TempDir Path tmp) throws Exception {
        com.sun.net.httpserver.HttpServer local = SamplesTest.okServer();
        try {
            int port = local.getAddress().getPort();
            Path policy = tmp.resolve("policy.json");
            String url = "http://127.0.0.1:" + port + "/";
            SandboxedJvm.Result learn = sample("http-client", "learn:" + policy, url).await();
            assertTrue(learn.stdout().contains(url + " -> 200"), learn.describe());
            assertLearned(learn, policy);
            assertTrue(Files.readString(policy).contains("\"connect\": [" + port + "]"), Files.readString(policy));
            SandboxedJvm.Result enforced = sample("http-client", policy.toString(), url).await();
            assertTrue(enforced.stdout().contains(url + " -> 200"), enforced.describe());
            assertNoDenials(enforced);
            int other = freePort();
            SandboxedJvm.Result elsewhere = sample("http-client", policy.toString(), "http://127.0.0.1:" + other + "/").await();
            assertTrue(elsewhere.stdout().contains("connect to 127.0.0.1:" + other + " (TCP) is not allowed"), elsewhere.describe());
        } finally {
            local.stop(0);
        }
    }

    @Test
    void theUdpAndUnixEchoSamplesLearnedEchoAsBefore(@TempDir Path tmp) throws Exception {
        int port = 20000 + (int) ((ProcessHandle.current().pid() + 7) % 20000);
        Path udpServerPolicy = tmp.resolve("udp-server.json");
        Path udpClientPolicy = tmp.resolve("udp-client.json");
        Path unixServerPolicy = tmp.resolve("unix-server.json");
        Path unixClientPolicy = tmp.resolve("unix-client.json");
        for (boolean learning : new boolean[] {true, false}) {
            String mode = learning ? "learn:" : "";
            SandboxedJvm.Running udp = sample("udp-echo", mode + udpServerPolicy, "server", Integer.toString(port));
            SandboxedJvm.Result udpClient;
            try {
                udp.awaitLine("echoing", Duration.ofSeconds(60));
                udpClient = sample("udp-echo", mode + udpClientPolicy, "client", Integer.toString(port), "hello-udp").await();
            } finally {
                udp.terminate();
            }
            SandboxedJvm.Result udpServer = udp.await();
            assertTrue(udpClient.stdout().contains("echo: hello-udp"), udpClient.describe());
            // the server leaves its socket behind when terminated: each run starts from the same empty run/,
            // or the enforced run would meet a stale socket the learning run never had to delete
            Files.deleteIfExists(SamplesTest.sample("unix-echo").resolve("run/echo.sock"));
            SandboxedJvm.Running unix = sample("unix-echo", mode + unixServerPolicy, "server", "run/echo.sock");
            SandboxedJvm.Result unixClient;
            try {
                unix.awaitLine("echoing", Duration.ofSeconds(60));
                unixClient = sample("unix-echo", mode + unixClientPolicy, "client", "run/echo.sock", "hello-unix").await();
            } finally {
                unix.terminate();
            }
            SandboxedJvm.Result unixServer = unix.await();
            assertTrue(unixClient.stdout().contains("echo: hello-unix"), unixClient.describe());
            if (learning) {
                assertLearned(udpServer, udpServerPolicy);
                assertLearned(unixServer, unixServerPolicy);
                assertTrue(Files.readString(unixServerPolicy).contains("\"unix\": {\"listen\": true}"), Files.readString(unixServerPolicy));
            } else {
                for (SandboxedJvm.Result r : List.of(udpServer, udpClient, unixServer, unixClient)) {
                    assertNoDenials(r);
                }
            }
        }
    }

    // ------------------------------------------------------------------ deny and suggest

    @Test
    void aSuggestRunEnforcesThePolicyAndWritesTheRulesThatWouldHaveAllowedItsDenials(@TempDir Path tmp) throws Exception {
        Path sample = SamplesTest.sample("file-worker");
        String rules = """
                {"version": 1,
                 "filesystem": [{"path": "%s", "allow": ["read"]}, {"path": "%s", "allow": ["read", "write"]}]%s}
                """;
        Path policy = Files.writeString(tmp.resolve("policy.json"), rules.formatted(sample.resolve("input"), sample.resolve("output"), ""));
        SandboxedJvm.Result r = sample("file-worker", "suggest:" + policy, "input", "output", "/etc/hostname").await();
        assertTrue(r.stdout().contains("fox.txt: 9 words"), r.describe());
        assertTrue(r.stdout().contains("cannot read /etc/hostname: java.nio.file.AccessDeniedException"), "enforced: " + r.describe());
        assertTrue(r.stderr().contains("landlock-agent: suggest: 1 kind(s) of denial"), r.describe());
        String fragment = Files.readString(tmp.resolve("policy.suggested.json"));
        assertValid(tmp.resolve("policy.suggested.json"));
        assertTrue(fragment.contains("{\"path\": \"/etc/hostname\", \"allow\": [\"read\"]}"), fragment);
        String report = Files.readString(tmp.resolve("policy.suggested.md"));
        assertTrue(report.contains("| main |") && report.contains("dev.landlockagent.samples.fileworker.WordCount.main (WordCount.java:"),
                report);
        assertFalse(Files.readString(policy).contains("hostname"), "the policy itself is the operator's to change");

        Files.writeString(policy, rules.formatted(sample.resolve("input"), sample.resolve("output"), "")
                .replace("]}]", "]}, {\"path\": \"/etc/hostname\", \"allow\": [\"read\"]}]"));
        SandboxedJvm.Result fixed = sample("file-worker", "suggest:" + policy, "input", "output", "/etc/hostname").await();
        assertFalse(fixed.stdout().contains("cannot read /etc/hostname"), "the suggested rule lets it through: " + fixed.describe());
        assertTrue(fixed.stderr().contains("landlock-agent: suggest: nothing was denied"), fixed.describe());
        SandboxedJvm.Result valid = Probes.run(SandboxedJvm.withPolicy(tmp.resolve("policy.suggested.json")), "pid");
        assertEquals(0, valid.exitCode(), "the fragment is a valid policy: " + valid.describe());
    }

    private static String sql(int port, String db) throws Exception {
        return dev.landlockagent.it.apps.DerbyClient.roundTrip(dev.landlockagent.it.apps.DerbyClient.connect(port, db));
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
