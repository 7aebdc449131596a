package dev.landlockagent.it;

import dev.landlockagent.it.logging.LoggingApp;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.landlockagent.it.Probes.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's own SLF4J is relocated, so it never meets the application's: with no SLF4J the
 * agent writes to stderr; with SLF4J 1.7 or 2.x and logback, denials appear in the application's
 * log. No linkage errors, no duplicate-binding warnings.
 */
@RequiresLandlock(abi = 4)
class LoggingTest {
    private static final String POLICY = "{\"version\": 1, \"network\": {\"tcp\": {\"connect\": [443]}}}";

    private static Path[] classpath(String stack) throws IOException {
        List<Path> cp = new ArrayList<>(List.of(Probes.testClasses()));
        if (stack != null) {
            Path dir = Path.of(System.getProperty("landlock.logging.jars", "target/logging"), stack);
            try (Stream<Path> jars = Files.list(dir)) {
                cp.addAll(jars.sorted().toList());
            }
        }
        return cp.toArray(Path[]::new);
    }

    private static SandboxedJvm.Result run(String stack) throws IOException {
        return SandboxedJvm.withPolicyJson(POLICY).classpath(classpath(stack)).run(LoggingApp.class.getName());
    }

    private static void assertClean(SandboxedJvm.Result r) {
        assertEquals(0, r.exitCode(), r.describe());
        assertFalse(r.stderr().contains("multiple SLF4J bindings") || r.stdout().contains("multiple SLF4J bindings"), r.describe());
        assertFalse(r.stderr().contains("SLF4J(W)") || r.stderr().contains("SLF4J: "), r.describe());
        assertFalse(r.stderr().contains("LinkageError") || r.stderr().contains("NoClassDefFoundError"), r.describe());
        assertTrue(result(r, "udp").contains("is not allowed by the landlock-agent policy"), r.describe());
    }

    @Test
    void withoutSlf4jTheAgentWritesToStderr() throws IOException {
        SandboxedJvm.Result r = run(null);
        assertClean(r);
        assertEquals(1, r.denialWarnings().size(), r.describe());
        assertTrue(r.denialWarnings().get(0).contains("denied socket(AF_INET6, SOCK_DGRAM, 0)"), r.describe());
    }

    @Test
    void withSlf4j17AndLogbackDenialsGoToTheApplicationsLog() throws IOException {
        SandboxedJvm.Result r = run("slf4j-1.7");
        assertClean(r);
        assertTrue(r.denialWarnings().isEmpty(), "not on the agent's own stderr: " + r.describe());
        String all = r.stdout() + r.stderr();
        assertTrue(all.contains("application started"), all);
        assertTrue(all.contains("WARN landlock-agent - denied socket(AF_INET6, SOCK_DGRAM, 0)"), all);
    }

    @Test
    void withSlf4j2AndLogbackDenialsGoToTheApplicationsLogWithKeyValues() throws IOException {
        SandboxedJvm.Result r = run("slf4j-2");
        assertClean(r);
        assertTrue(r.denialWarnings().isEmpty(), "not on the agent's own stderr: " + r.describe());
        String all = r.stdout() + r.stderr();
        assertTrue(all.contains("application started"), all);
        assertTrue(all.contains("WARN landlock-agent") && all.contains("denied socket(AF_INET6, SOCK_DGRAM, 0)"), all);
        assertTrue(all.contains("type=dgram") || all.contains("type=\"dgram\""), "logback prints the key-values: " + all);
    }

    /**
     * Log4j 2 resolves the host's own name while it starts (Kafka met it): that denial is reported
     * while the application's logging is initialising, where calling into it would start it again.
     * The report waits and is handed over once the logging is up; no ERROR, no stack trace.
     */
    @Test
    void aDenialInsideTheApplicationsLoggingStartIsHandedOverWhenItIsUp() throws IOException {
        Path config = Files.createDirectories(Path.of("target", "logging", "log4j2-config").toAbsolutePath());
        Files.writeString(config.resolve("log4j2.xml"), """
                <Configuration status="warn">
                  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%p %c - %m%n"/></Console></Appenders>
                  <Loggers><Root level="info"><AppenderRef ref="out"/></Root></Loggers>
                </Configuration>
                """);
        List<Path> cp = new ArrayList<>(List.of(classpath("log4j2")));
        cp.add(config);
        SandboxedJvm.Result r = SandboxedJvm.withPolicyJson(POLICY).classpath(cp.toArray(Path[]::new)).run(LoggingApp.class.getName());
        String all = r.stdout() + r.stderr();
        assertEquals(0, r.exitCode(), r.describe());
        assertFalse(all.contains("dev.landlockagent.log."), "the agent's logging is in no stack trace: " + r.describe());
        assertEquals(1, all.lines().filter(l -> l.contains("ERROR Could not determine local host name")).count(),
                "Log4j reports the denied name once, for its own context only (the agent starts no second one): " + r.describe());
        assertTrue(all.contains("application started"), r.describe());
        assertTrue(r.stdout().contains("WARN landlock-agent - denied resolve"),
                "the denial inside Log4j's start is reported, through Log4j once it is up: " + r.describe());
        assertTrue(result(r, "udp").contains("is not allowed by the landlock-agent policy"), r.describe());
    }
}
