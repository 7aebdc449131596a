package dev.landlockagent.it;

import dev.landlockagent.it.apps.JettyApp;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real third-party servers from Maven Central, run the way a user runs them: their jars in a
 * folder on a wildcard class path, a policy written from docs/policy.md, a request served, and a
 * denial named with its rule.
 */
@RequiresLandlock(abi = 4)
class RealApplicationsTest {
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void jettyOnAWildcardClassPathServesAndNamesADeniedFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path lib = Path.of(System.getProperty("landlock.apps", "target/apps"), "jetty", "lib").toAbsolutePath();
        assertTrue(Files.isDirectory(lib), "the build copies Jetty to " + lib);
        Path secret = Files.writeString(Files.createDirectories(Path.of("target", "landlock-secrets").toAbsolutePath())
                .resolve("jetty-secret.txt"), "secret");
        int port = freePort();
        String policy = """
                {"version": 1,
                 "network": {"tcp": {"bind": [%d]}},
                 "sockets": [{"domain": ["inet", "inet6"], "type": "stream", "protocol": "tcp"}],
                 "dns": "hosts"}""".formatted(port);
        SandboxedJvm.Running jvm = SandboxedJvm.withPolicyJson(policy)
                .jvmOptions("-cp", Probes.testClasses().toAbsolutePath() + ":" + lib + "/*")
                .start(JettyApp.class.getName(), Integer.toString(port));
        try {
            jvm.awaitLine("READY", java.time.Duration.ofSeconds(60));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> hello = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, hello.statusCode());
            assertEquals("hello from jetty", hello.body());
            HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/file?path=" + secret)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, denied.statusCode(), denied.body());
            assertTrue(denied.body().contains("read " + secret + " (needs read_file on " + secret + ") is not allowed by the"
                    + " landlock-agent policy"), denied.body());
        } finally {
            jvm.terminate();
        }
        SandboxedJvm.Result r = jvm.await();
        assertTrue(r.stderr().contains("[landlock-agent] WARN denied read " + secret), r.describe());
    }

    /**
     * Embedded Tomcat as Spring Boot starts it makes its base folder with createTempDirectory: under
     * a policy without the temporary folder it stops at once, and the denial names the rule with
     * ${java.io.tmpdir}, not the random name; with that rule added, it serves.
     */
    @Test
    void tomcatsRandomBaseFolderIsSuggestedAsTheTemporaryFolderAndTheFixWorks() throws Exception {
        Path lib = Path.of(System.getProperty("landlock.apps", "target/apps"), "tomcat", "lib").toAbsolutePath();
        int port = freePort();
        String cp = Probes.testClasses().toAbsolutePath() + ":" + lib + "/*";
        String base = """
                {"version": 1,
                 "network": {"tcp": {"bind": [%d]}},
                 "sockets": [{"domain": ["inet", "inet6"], "type": "stream", "protocol": "tcp"}],
                 "dns": "hosts"%s}""";
        SandboxedJvm.Result stopped = SandboxedJvm.withPolicyJson(base.formatted(port, ""))
                .jvmOptions("-cp", cp).run(dev.landlockagent.it.apps.TomcatApp.class.getName(), Integer.toString(port));
        assertTrue(stopped.exitCode() != 0, stopped.describe());
        String all = stopped.stdout() + stopped.stderr();
        assertTrue(all.contains("add to \"filesystem\": {\"path\": \"${java.io.tmpdir}\", \"allow\": [\"write\"]}"), stopped.describe());
        assertTrue(!all.contains("\"path\": \"/tmp/tomcat."), "no random name in a suggestion: " + stopped.describe());

        String fixed = base.formatted(port, ",\n \"filesystem\": [{\"path\": \"${java.io.tmpdir}\", \"allow\": [\"read\", \"write\"]}]");
        SandboxedJvm.Running jvm = SandboxedJvm.withPolicyJson(fixed).jvmOptions("-cp", cp)
                .start(dev.landlockagent.it.apps.TomcatApp.class.getName(), Integer.toString(port));
        try {
            jvm.awaitLine("READY", java.time.Duration.ofSeconds(60));
            HttpResponse<String> hello = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, hello.statusCode());
            assertEquals("hello from tomcat", hello.body());
        } finally {
            jvm.terminate();
        }
        jvm.await();
    }

    /**
     * The Spring Boot sample as `mvn package` builds every Spring Boot service: an executable fat
     * jar whose libraries are nested jars, run with java -jar under the policy in its folder
     * (docs/examples.md). It serves its notes, the path-reading endpoint is denied with the rule
     * named in the response and the WARN, and nothing else is warned about, shutdown included.
     */
    @Test
    void springBootFatJarServesUnderItsSamplePolicyAndNamesTheDeniedRead(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path sample = SamplesTest.sample("spring-boot-service");
        Path jar = SamplesTest.jar("spring-boot-service");
        assertTrue(Files.isRegularFile(jar), "the build packages " + jar);
        int port = freePort();
        Path policy = Files.writeString(tmp.resolve("policy.json"), Files.readString(sample.resolve("policy.json"))
                .replace("\"notes\"", "\"" + sample.resolve("notes") + "\"")
                .replace("8080", Integer.toString(port))
                .replace("\"$schema\": \"../../docs/policy.schema.json\",", ""));
        SandboxedJvm.Running jvm = SandboxedJvm.withPolicy(policy).workingDirectory(sample)
                .start(java.util.List.of(SandboxedJvm.java().toString(), "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=" + policy,
                        "-jar", jar.toString(), "--server.port=" + port));
        try {
            jvm.awaitLine("serving on", java.time.Duration.ofSeconds(90));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> hello = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("hello from spring boot", hello.body());
            HttpResponse<String> note = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/notes/hello.txt"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, note.statusCode(), note.body());
            HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/file?path=/etc/hostname")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, denied.statusCode(), denied.body());
            assertTrue(denied.body().contains("read /etc/hostname (needs read_file on /etc/hostname) is not allowed by the"
                    + " landlock-agent policy " + policy), denied.body());
        } finally {
            jvm.terminate();
        }
        SandboxedJvm.Result r = jvm.await();
        String all = r.stdout() + r.stderr();
        java.util.List<String> warns = all.lines().filter(l -> l.contains("landlock-agent") && l.contains("WARN")).toList();
        assertEquals(1, warns.size(), "one WARN, the read; Tomcat's shutdown probe is harmless: " + r.describe());
        assertTrue(warns.get(0).contains("denied read /etc/hostname") && warns.get(0).contains(
                "add to \"filesystem\": {\"path\": \"/etc/hostname\", \"allow\": [\"read\"]}"), warns.get(0));
    }

    /**
     * The Derby 10.17 network server, started as its documentation says, under the policy a user
     * writes first: its databases' folder and its port. It resolves its own host name at start,
     * which /etc/hosts holds, and the denial names the narrow fix ("dns": "hosts"), not DNS; it
     * serves SQL; and a client asking for a database outside its folder gets the denial named.
     */
    @Test
    void derbysNetworkServerServesSqlAndNamesWhatItMayNotDo(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path lib = Path.of(System.getProperty("landlock.apps", "target/apps"), "derby", "lib").toAbsolutePath();
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        int port = freePort();
        String policy = """
                {"version": 1,
                 "filesystem": [{"path": "%s", "allow": ["read", "write"]}],
                 "network": {"tcp": {"bind": [%d]}}}""".formatted(home, port);
        SandboxedJvm.Running server = SandboxedJvm.withPolicyJson(policy)
                .jvmOptions("-Dderby.system.home=" + home, "-cp", lib + "/*")
                .start("org.apache.derby.drda.NetworkServerControl", "start", "-h", "127.0.0.1", "-p", Integer.toString(port));
        String created;
        try {
            assertEquals("landlock", dev.landlockagent.it.apps.DerbyClient.roundTrip(
                    dev.landlockagent.it.apps.DerbyClient.connect(port, "shop")));
            java.sql.SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                    () -> java.sql.DriverManager.getConnection("jdbc:derby://127.0.0.1:" + port + "/" + outside.resolve("db")
                            + ";create=true").close());
            created = refused.toString();
        } finally {
            server.terminate();
        }
        SandboxedJvm.Result r = server.await();
        assertTrue(r.stderr().contains("[landlock-agent] WARN denied resolve ") && r.stderr().contains("\"dns\": \"hosts\""),
                "its own host name is in /etc/hosts: " + r.describe());
        assertFalse(r.stderr().contains("\"dns\": true"), r.describe());
        assertTrue(r.stderr().contains("[landlock-agent] WARN denied create folder " + outside.resolve("db")), created + "\n" + r.describe());
    }

    /**
     * Netty's native epoll transport connects from its own JNI code, past the JDK's funnels: the
     * denial is still named, with its rule, in the exception Netty hands the application and in the
     * WARN line. The epoll library Netty unpacks into the temporary folder and loads is the policy's
     * to allow, as the agent's messages said when this policy was written.
     */
    @Test
    void nettysNativeEpollConnectIsNamedWithItsRule() throws Exception {
        Path lib = Path.of(System.getProperty("landlock.apps", "target/apps"), "netty", "lib").toAbsolutePath();
        int port = freePort();
        int closed = freePort();
        String policy = """
                {"version": 1,
                 "filesystem": [{"path": "${java.io.tmpdir}", "allow": ["read", "write"]}],
                 "network": {"tcp": {"bind": [%d]}},
                 "sockets": [{"domain": ["inet", "inet6"], "type": "stream", "protocol": "tcp"}],
                 "dns": "hosts"}""".formatted(port);
        SandboxedJvm.Running jvm = SandboxedJvm.withPolicyJson(policy)
                .jvmOptions("--enable-native-access=ALL-UNNAMED", "-cp", Probes.testClasses().toAbsolutePath() + ":" + lib + "/*")
                .start(dev.landlockagent.it.apps.NettyApp.class.getName(), Integer.toString(port), Integer.toString(closed));
        String connect;
        try {
            jvm.awaitLine("READY", java.time.Duration.ofSeconds(60));
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                assertEquals("hello from netty", new String(s.getInputStream().readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8).strip());
            }
            connect = jvm.awaitLine("CONNECT", java.time.Duration.ofSeconds(30));
        } finally {
            jvm.terminate();
        }
        SandboxedJvm.Result r = jvm.await();
        assertTrue(connect.contains("Permission denied: connect to 127.0.0.1:" + closed + " (TCP) is not allowed by the"
                + " landlock-agent policy"), connect + "\n" + r.describe());
        assertTrue(connect.contains("{\"network\": {\"tcp\": {\"connect\": [" + closed + "]}}}"), connect);
        assertTrue(r.stderr().contains("[landlock-agent] WARN denied connect to 127.0.0.1:" + closed + " (TCP)"), r.describe());
        assertTrue(!r.stderr().contains("somaxconn"), "Netty's backlog probe is harmless: " + r.describe());
    }
}
