package dev.landlockagent.samples.httpserver;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample's own tests. Surefire runs them in a JVM confined by src/test/test-policy.json, so
 * they also check that the policy lets the server do its job, and that it stops what it must.
 */
class HttpFileServerTest {
    static HttpServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        server = HttpFileServer.start(Path.of("www").toAbsolutePath(), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    /**
     * The policy says {@code "exit": "deny"}: a test (or the code it tests) that calls System.exit
     * fails with the rule's SecurityException instead of ending the test run; Surefire's own exit,
     * from its booter's main class, still ends the fork.
     */
    @Test
    void aSystemExitInATestFailsTheTestInsteadOfEndingTheRun() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("landlock.agent.exec") != null,
                "runs only confined, as this module's Surefire configuration does");
        SecurityException e = org.junit.jupiter.api.Assertions.assertThrows(SecurityException.class, () -> System.exit(2));
        assertTrue(e.getMessage().contains("System.exit(2) from " + HttpFileServerTest.class.getName()), e.getMessage());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheFolder() throws Exception {
        HttpResponse<String> r = get("/index.html");
        assertEquals(200, r.statusCode());
        assertEquals(Files.readString(Path.of("www/index.html")), r.body());
    }

    @Test
    void thePathTraversalBugReachesNothingOutsideTheFolder() throws Exception {
        HttpResponse<String> r = get("/" + "..%2F".repeat(24) + "etc%2Fhostname");
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("is not allowed by the landlock-agent policy"), r.body());
    }
}
