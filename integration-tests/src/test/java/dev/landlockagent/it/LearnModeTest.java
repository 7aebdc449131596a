package dev.landlockagent.it;

import dev.landlockagent.it.apps.FfmFiles;
import dev.landlockagent.it.apps.JettyApp;
import dev.landlockagent.it.apps.ShellCat;
import dev.landlockagent.testing.SandboxedJvm;
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

    private static void assertLearned(SandboxedJvm.Result learn, Path policy) throws IOException {
        assertTrue(learn.stderr().contains("landlock-agent: LEARN RUN: this JVM is NOT confined"), learn.describe());
        assertTrue(learn.stderr().contains("landlock-agent: learn: wrote " + policy), learn.describe());
        assertTrue(Files.isRegularFile(policy), learn.describe());
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

    private static String sql(int port, String db) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        java.sql.Connection c = null;
        while (c == null) {
            try {
                c = java.sql.DriverManager.getConnection("jdbc:derby://127.0.0.1:" + port + "/" + db + ";create=true");
            } catch (java.sql.SQLException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(200);
            }
        }
        try (java.sql.Connection open = c; java.sql.Statement st = open.createStatement()) {
            st.execute("create table item(name varchar(20))");
            st.execute("insert into item values ('landlock')");
            try (java.sql.ResultSet rs = st.executeQuery("select name from item")) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
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
