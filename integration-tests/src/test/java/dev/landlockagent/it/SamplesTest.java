package dev.landlockagent.it;

import com.sun.net.httpserver.HttpServer;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
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
 * Every sample under its own policy, both sides: what the sample is for works, what it has no
 * business doing is denied with the friendly message.
 */
@RequiresLandlock(abi = 4)
class SamplesTest {
    static final Path SAMPLES = Path.of("..", "sample-apps").toAbsolutePath().normalize();

    static Path sample(String name) {
        return SAMPLES.resolve(name);
    }

    static Path jar(String name) {
        return sample(name).resolve("target").resolve(name + ".jar");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The sample's policy with absolute paths and another port, for a test that cannot own port 8080. */
    static Path policyOnPort(String name, int port, Path dir) throws IOException {
        String json = Files.readString(sample(name).resolve("policy.json"))
                .replace("\"www\"", "\"" + sample(name).resolve("www") + "\"")
                .replace("8080", Integer.toString(port))
                .replace("\"$schema\": \"../../docs/policy.schema.json\",", "");
        return Files.writeString(dir.resolve(name + "-policy.json"), json);
    }

    @Test
    void httpServerServesItsFolderAndItsPathTraversalBugReachesNothing(@TempDir Path tmp) throws Exception {
        int port = freePort();
        SandboxedJvm.Running server = SandboxedJvm.withPolicy(policyOnPort("http-server", port, tmp))
                .start(List.of(SandboxedJvm.java().toString(), "-javaagent:" + SandboxedJvm.defaultAgentJar() + "="
                        + tmp.resolve("http-server-policy.json"), "-jar", jar("http-server").toString(),
                        sample("http-server").resolve("www").toString(), Integer.toString(port)));
        try {
            server.awaitLine("serving", Duration.ofSeconds(30));
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("landlock-agent sample"));
            HttpResponse<String> escape = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/" + "..%2F".repeat(24) + "etc%2Fhostname")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, escape.statusCode(), escape.body());
            assertTrue(escape.body().contains("(needs read_file on /etc/hostname) is not allowed"), escape.body());
        } finally {
            server.terminate();
            server.await();
        }
    }

    /** A loopback HTTP server that answers "ok" to everything: what the http-client sample fetches from. */
    static HttpServer okServer() throws IOException {
        HttpServer local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        local.createContext("/", e -> {
            e.sendResponseHeaders(200, 2);
            e.getResponseBody().write("ok".getBytes());
            e.close();
        });
        local.start();
        return local;
    }

    @Test
    void httpClientFetchesFromItsPortAndIsDeniedEverythingElse(@TempDir Path tmp) throws Exception {
        HttpServer local = okServer();
        try {
            int port = local.getAddress().getPort();
            int other = freePort();
            SandboxedJvm.Result r = SandboxedJvm.withPolicy(policyOnPort("http-client", port, tmp))
                    .start(List.of(SandboxedJvm.java().toString(), "-javaagent:" + SandboxedJvm.defaultAgentJar() + "="
                            + tmp.resolve("http-client-policy.json"), "-jar", jar("http-client").toString(),
                            "http://127.0.0.1:" + port + "/", "http://127.0.0.1:" + other + "/", "http://example.invalid/"))
                    .await();
            assertTrue(r.stdout().contains("http://127.0.0.1:" + port + "/ -> 200"), r.describe());
            assertTrue(r.stdout().contains("connect to 127.0.0.1:" + other + " (TCP) is not allowed"), r.describe());
            // HttpClient turns a failed lookup into an unresolved address: the hint is in the log.
            assertTrue(r.stderr().contains("denied resolve example.invalid") && r.stderr().contains("\"dns\": true"), r.describe());
            assertFalse(r.stderr().contains("cacerts"), "the JDK's trust store, wherever it links to, is in the baseline");
        } finally {
            local.stop(0);
        }
    }

    private static SandboxedJvm.Result runSample(String name, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(SandboxedJvm.java().toString(),
                "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=policy.json", "-jar", jar(name).toString()));
        cmd.addAll(List.of(args));
        return SandboxedJvm.unconfined().workingDirectory(sample(name)).start(cmd).await();
    }

    @Test
    void fileWorkerProcessesItsFoldersWithNoNetworkAndCannotReadAnythingElse() throws IOException {
        SandboxedJvm.Result r = runSample("file-worker", "input", "output", "/etc/hostname");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("fox.txt: 9 words"), r.describe());
        assertEquals("9\n", Files.readString(sample("file-worker").resolve("output/fox.count")));
        assertTrue(r.stdout().contains("cannot read /etc/hostname: java.nio.file.AccessDeniedException"), r.describe());
        assertTrue(r.stdout().contains("is not allowed by the landlock-agent policy " + sample("file-worker").resolve("policy.json")),
                r.describe());
    }

    @Test
    void udpEchoServesUdpOnly() {
        int port = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        List<String> cmd = List.of(SandboxedJvm.java().toString(), "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=policy.json",
                "-jar", jar("udp-echo").toString(), "server", Integer.toString(port));
        SandboxedJvm.Running server = SandboxedJvm.unconfined().workingDirectory(sample("udp-echo")).start(cmd);
        try {
            server.awaitLine("echoing", Duration.ofSeconds(30));
            SandboxedJvm.Result client = runSample("udp-echo", "client", Integer.toString(port), "hello-udp");
            assertTrue(client.stdout().contains("echo: hello-udp"), client.describe());
        } finally {
            server.terminate();
            server.await();
        }
    }

    @Test
    void unixEchoServesItsSocketFile() {
        List<String> cmd = List.of(SandboxedJvm.java().toString(), "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=policy.json",
                "-jar", jar("unix-echo").toString(), "server", "run/echo.sock");
        SandboxedJvm.Running server = SandboxedJvm.unconfined().workingDirectory(sample("unix-echo")).start(cmd);
        try {
            server.awaitLine("echoing", Duration.ofSeconds(30));
            SandboxedJvm.Result client = runSample("unix-echo", "client", "run/echo.sock", "hello-unix");
            assertTrue(client.stdout().contains("echo: hello-unix"), client.describe());
        } finally {
            server.terminate();
            server.await();
        }
    }

    @Test
    void theUntrustedPluginEscapesNowhere() {
        List<String> cmd = List.of(SandboxedJvm.java().toString(), "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=policy.json",
                "--enable-native-access=ALL-UNNAMED", "-jar", jar("plugin-host").toString(),
                "../untrusted-plugin/target/untrusted-plugin.jar");
        SandboxedJvm.Result r = SandboxedJvm.unconfined().workingDirectory(sample("plugin-host")).start(cmd).await();
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains(" 0 escaped"), r.describe());
        assertFalse(r.stdout().contains("ESCAPED"), r.describe());
        for (String attempt : List.of("read /etc/shadow", "connect to 127.0.0.1:22", "bind port 4444", "open a UDP socket",
                "raw ICMP socket through FFM", "netlink socket through FFM", "MPTCP socket through FFM",
                "spawn /bin/sh to read /etc/shadow", "signal the parent process", "the finalizer trick",
                "load an agent into another JVM through the Attach API", "rewrite the host's policy")) {
            assertTrue(r.stdout().contains("[plugin] " + attempt + ": BLOCKED"), attempt + "\n" + r.describe());
        }
        assertTrue(r.stdout().contains("plugin finished; the host is still fine"), r.describe());
    }

    @Test
    void theSelfSandboxedJarIsConfinedByPlainJavaJar() {
        SandboxedJvm.Result r = SandboxedJvm.unconfined().run("-version");
        assertEquals(0, r.exitCode());
        SandboxedJvm.Result own = SandboxedJvm.unconfined().workingDirectory(sample("self-sandboxed"))
                .start(List.of(SandboxedJvm.java().toString(), "-jar", jar("self-sandboxed").toString(), "/etc/hostname")).await();
        assertTrue(own.stderr().contains("[landlock-agent] INFO confined by " + jar("self-sandboxed") + "!/policy.json"), own.describe());
        assertTrue(own.stdout().contains("cannot read /etc/hostname: /etc/hostname: Permission denied: read /etc/hostname"),
                own.describe());
        SandboxedJvm.Result allowed = SandboxedJvm.unconfined().workingDirectory(sample("self-sandboxed"))
                .start(List.of(SandboxedJvm.java().toString(), "-jar", jar("self-sandboxed").toString(),
                        jar("self-sandboxed").getParent().resolve("classes/dev/landlockagent/samples/selfsandboxed/SelfSandboxed.class")
                                .toString())).await();
        assertTrue(allowed.stdout().contains("bytes"), "it may read its own folder: " + allowed.describe());
    }
}
