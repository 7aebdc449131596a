package dev.landlockagent.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.model.HostConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image of deploy/Dockerfile, built by a real Docker engine: a JDK 25 base, the agent
 * through JAVA_TOOL_OPTIONS, the http-server sample and its policy. It serves, and the denial
 * happens inside the container: as the image's non-root user and as root, with the policy from the
 * image and from a volume, under the engine's default seccomp profile and under the profile
 * deploy/ ships; and under a profile that blocks the Landlock syscalls it fails closed, naming the
 * fix. No registry is reachable here, so the base image is built locally
 * (scripts/container-base-image). Skipped with the reason where no engine runs; with
 * {@code DOCKER_REQUIRED=1} (as .ci/run sets) it fails instead.
 */
class ContainerTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String INFO = "[landlock-agent] INFO confined by ";
    private static ImageFromDockerfile image;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void engineAndImage() throws Exception {
        String why = "";
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            available = false;
            why = ": " + e;
        }
        String reason = "no Docker engine is reachable here" + why + "; this test runs where one is (it builds deploy/Dockerfile)";
        if ("1".equals(System.getenv("DOCKER_REQUIRED"))) {
            assertTrue(available, reason + ", and DOCKER_REQUIRED=1");
        }
        Assumptions.assumeTrue(available, reason);
        Process p = new ProcessBuilder(ROOT.resolve("scripts/container-base-image").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0, "scripts/container-base-image failed:\n" + out);
        image = new ImageFromDockerfile("landlock-http-server-test", false)
                .withFileFromPath("deploy/Dockerfile", ROOT.resolve("deploy/Dockerfile"))
                .withFileFromPath("deploy/http-server-policy.json", ROOT.resolve("deploy/http-server-policy.json"))
                .withFileFromPath("deploy/http-server-training-policy.json", ROOT.resolve("deploy/http-server-training-policy.json"))
                .withFileFromPath("agent/target/landlock-agent.jar", ROOT.resolve("agent/target/landlock-agent.jar"))
                .withFileFromPath("sample-apps/http-server/www", ROOT.resolve("sample-apps/http-server/www"))
                .withFileFromPath("sample-apps/http-server/target/http-server.jar",
                        ROOT.resolve("sample-apps/http-server/target/http-server.jar"))
                .withDockerfilePath("deploy/Dockerfile");
    }

    private static GenericContainer<?> service() {
        return new GenericContainer<>(image).withExposedPorts(8080)
                .waitingFor(Wait.forLogMessage(".*serving.*", 1).withStartupTimeout(Duration.ofMinutes(2)));
    }

    /** The page is served, and the sample's path traversal meets the policy inside the container. */
    private static void servesAndDenies(GenericContainer<?> c, String policy) throws Exception {
        String base = "http://" + c.getHost() + ":" + c.getMappedPort(8080);
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        HttpResponse<String> escape = client.send(HttpRequest.newBuilder(
                URI.create(base + "/..%2F..%2F..%2Fetc%2Fhostname")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, escape.statusCode(), escape.body());
        assertTrue(escape.body().contains("is not allowed by the landlock-agent policy " + policy), escape.body());
        assertTrue(c.getLogs().contains(INFO + policy + ": Landlock ABI "), c.getLogs());
    }

    @Test
    void theConfinedServiceServesAndItsDenialsHappenInsideTheContainerAsItsUser() throws Exception {
        try (GenericContainer<?> c = service()) {
            c.start();
            servesAndDenies(c, "/opt/app/policy.json");
            assertEquals("10001", c.execInContainer("sh", "-c", "stat -c %u /proc/1").getStdout().strip(), "the image's USER");
            assertTrue(c.execInContainer("sh", "-c", "grep Seccomp: /proc/1/status").getStdout().contains("2"),
                    "under the engine's default seccomp profile and the agent's filter");
        }
    }

    /**
     * The image's AOT cache, trained at build under the agent (deploy/Dockerfile): the confined
     * service maps it in the JVM that runs {@code main}, prints no error or warning about it, and
     * can write neither the cache nor its folder.
     */
    @Test
    void theAotCacheTrainedAtImageBuildMapsInTheConfinedServiceWhichCannotWriteIt() throws Exception {
        try (GenericContainer<?> c = service()) {
            c.start();
            servesAndDenies(c, "/opt/app/policy.json");
            for (String line : c.getLogs().split("\n")) {
                assertFalse(line.contains("[error]") || line.contains("[warning]"), line);
            }
            var write = c.execInContainer("sh", "-c", "touch /opt/app/aot/http-server.aot || echo refused");
            assertTrue(write.getStdout().contains("refused"), "the service's user cannot write the cache: " + write);
        }
        try (GenericContainer<?> c = service().withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("java",
                "-XX:AOTCache=/opt/app/aot/http-server.aot", "-Xlog:class+load=info", "-jar", "/opt/app/http-server.jar",
                "/opt/app/www", "8080"))) {
            c.start();
            assertTrue(c.getLogs().contains("dev.landlockagent.samples.httpserver.HttpFileServer source: shared objects file"),
                    "the JVM that runs main found the main class in the cache: " + c.getLogs().lines()
                            .filter(l -> l.contains("HttpFileServer") || l.contains("landlock-agent")).toList());
        }
    }

    /**
     * The Jib recipe: sample-apps/http-server's jib profile builds an image with no Dockerfile, the
     * agent and policy as extra directories and the agent in Jib's jvmFlags, on the local base image.
     */
    @Test
    void theImageJibBuildsIsConfinedTheSame() throws Exception {
        NestedMaven.Build jib = NestedMaven.run(ROOT.resolve("sample-apps/http-server"),
                "-q", "-Pjib", "package", "jib:dockerBuild", "-DskipTests");
        assertEquals(0, jib.exit(), jib.output());
        try (GenericContainer<?> c = new GenericContainer<>(org.testcontainers.utility.DockerImageName.parse("landlock-http-server-jib"))
                .withExposedPorts(8080)
                .waitingFor(Wait.forLogMessage(".*serving.*", 1).withStartupTimeout(Duration.ofMinutes(2)))) {
            c.start();
            servesAndDenies(c, "/opt/app/http-server-policy.json");
            assertEquals("10001", c.execInContainer("sh", "-c", "stat -c %u /proc/1").getStdout().strip(), "Jib's container.user");
        }
    }

    @Test
    void asRootTheSameServiceIsConfinedTheSame() throws Exception {
        try (GenericContainer<?> c = service().withCreateContainerCmdModifier(cmd -> cmd.withUser("0"))) {
            c.start();
            servesAndDenies(c, "/opt/app/policy.json");
            assertEquals("0", c.execInContainer("sh", "-c", "stat -c %u /proc/1").getStdout().strip());
        }
    }

    /** An operator's policy from a volume, named through JAVA_TOOL_OPTIONS: it replaces the image's. */
    @Test
    void aPolicyFromAVolumeNamedInJavaToolOptionsIsTheOneEnforced() throws Exception {
        Path policy = Files.writeString(tmp.resolve("policy.json"),
                "{\"version\": 1, \"filesystem\": [{\"path\": \"/opt/app/www\", \"allow\": [\"read\"]}],"
                        + " \"network\": {\"tcp\": {\"bind\": [8080]}}}");
        policy.toFile().setReadable(true, false);
        try (GenericContainer<?> c = service()
                .withFileSystemBind(policy.toString(), "/etc/landlock/policy.json", BindMode.READ_ONLY)
                .withEnv("JAVA_TOOL_OPTIONS", "-javaagent:/opt/landlock/landlock-agent.jar=/etc/landlock/policy.json")) {
            c.start();
            servesAndDenies(c, "/etc/landlock/policy.json");
            assertFalse(c.getLogs().contains(INFO + "/opt/app/policy.json"), c.getLogs());
        }
    }

    @Test
    void theSeccompProfileDeployShipsLetsTheAgentConfine() throws Exception {
        String profile = Files.readString(ROOT.resolve("deploy/seccomp-landlock.json"));
        try (GenericContainer<?> c = service().withCreateContainerCmdModifier(
                cmd -> cmd.getHostConfig().withSecurityOpts(List.of("seccomp=" + profile)))) {
            c.start();
            servesAndDenies(c, "/opt/app/policy.json");
            assertFalse(c.execInContainer("sh", "-c", "unshare -U true").getExitCode() == 0,
                    "the profile keeps namespaces from the container");
        }
    }

    /**
     * An engine whose profile blocks the Landlock syscalls (EPERM, as old profiles answer, or
     * ENOSYS): the JVM does not start, exit status 78, and the one line names the fix.
     */
    @Test
    void aSeccompProfileThatBlocksLandlockFailsClosedAndNamesTheFix() throws Exception {
        for (int errno : new int[] {1, 38}) {
            String profile = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"landlock_create_ruleset\","
                    + " \"landlock_add_rule\", \"landlock_restrict_self\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": " + errno + "}]}";
            DockerClient docker = DockerClientFactory.instance().client();
            CreateContainerResponse created = docker.createContainerCmd(image.get())
                    .withHostConfig(HostConfig.newHostConfig().withSecurityOpts(List.of("seccomp=" + profile))).exec();
            try {
                docker.startContainerCmd(created.getId()).exec();
                int status = docker.waitContainerCmd(created.getId()).start().awaitStatusCode(2, TimeUnit.MINUTES);
                ToStringConsumer logs = new ToStringConsumer();
                docker.logContainerCmd(created.getId()).withStdOut(true).withStdErr(true)
                        .exec(new org.testcontainers.containers.output.FrameConsumerResultCallback() {
                            {
                                addConsumer(OutputFrame.OutputType.STDOUT, logs);
                                addConsumer(OutputFrame.OutputType.STDERR, logs);
                            }
                        }).awaitCompletion(1, TimeUnit.MINUTES);
                String text = logs.toUtf8String();
                assertEquals(78, status, text);
                assertTrue(text.contains("landlock-agent: refusing to start: Landlock is not available")
                        && text.contains("runs under a seccomp filter that blocks the Landlock syscalls")
                        && text.contains("--security-opt seccomp=deploy/seccomp-landlock.json"), text);
                assertFalse(text.contains("serving"), "the service never ran: " + text);
                assertFalse(text.contains("\tat "), "no stack trace: " + text);
            } finally {
                docker.removeContainerCmd(created.getId()).withForce(true).exec();
            }
        }
    }
}
