package dev.landlockagent.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image of deploy/Dockerfile: a JDK 25 base, the agent through JAVA_TOOL_OPTIONS,
 * the http-server sample and its policy. It still serves, and the denial happens inside the
 * container. Runs where a Docker engine is reachable; elsewhere it is skipped with the reason.
 */
class ContainerTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @BeforeEach
    void docker() {
        boolean available;
        String why = "";
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            available = false;
            why = ": " + e;
        }
        Assumptions.assumeTrue(available, "no Docker engine is reachable here" + why
                + "; this test runs where one is (it builds deploy/Dockerfile)");
    }

    @Test
    void theConfinedServiceServesAndItsDenialsHappenInsideTheContainer() throws Exception {
        ImageFromDockerfile image = new ImageFromDockerfile("landlock-http-server-test", true)
                .withFileFromPath("deploy/Dockerfile", ROOT.resolve("deploy/Dockerfile"))
                .withFileFromPath("deploy/http-server-policy.json", ROOT.resolve("deploy/http-server-policy.json"))
                .withFileFromPath("agent/target/landlock-agent.jar", ROOT.resolve("agent/target/landlock-agent.jar"))
                .withFileFromPath("sample-apps/http-server/www", ROOT.resolve("sample-apps/http-server/www"))
                .withFileFromPath("sample-apps/http-server/target/http-server.jar",
                        ROOT.resolve("sample-apps/http-server/target/http-server.jar"))
                .withDockerfilePath("deploy/Dockerfile");
        try (GenericContainer<?> c = new GenericContainer<>(image).withExposedPorts(8080)
                .waitingFor(Wait.forLogMessage(".*serving.*", 1).withStartupTimeout(Duration.ofMinutes(2)))) {
            c.start();
            String base = "http://" + c.getHost() + ":" + c.getMappedPort(8080);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            HttpResponse<String> escape = client.send(HttpRequest.newBuilder(
                    URI.create(base + "/..%2F..%2F..%2Fetc%2Fhostname")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, escape.statusCode(), escape.body());
            assertTrue(escape.body().contains("is not allowed by the landlock-agent policy /opt/app/policy.json"), escape.body());
            assertTrue(c.getLogs().contains("[landlock-agent] INFO confined by /opt/app/policy.json"), c.getLogs());
        }
    }
}
