package dev.landlockagent.it;

import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The denial counts as the MBean dev.landlockagent:type=Denials, on the http-server sample under a
 * load of denied and allowed requests, read as operators read it: by Prometheus' JMX exporter
 * (the real javaagent from Maven Central, beside ours) and by a JMX client over the JVM's own
 * remote connector, as JDK Mission Control connects.
 */
@RequiresLandlock
class DenialMetricsTest {
    private static final Path EXPORTER = Path.of("target/jmx-exporter/jmx_prometheus_javaagent.jar").toAbsolutePath();
    private static final String TRAVERSAL = "/..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F";

    @Test
    void theCountsOfAServerUnderLoadAreReadByPrometheusJmxExporterAndByAJmxClient(@TempDir Path tmp) throws Exception {
        int port = SamplesTest.freePort();
        int metricsPort = SamplesTest.freePort();
        int jmxPort = SamplesTest.freePort();
        Path www = SamplesTest.sample("http-server").resolve("www");
        Path config = Files.writeString(tmp.resolve("exporter.yaml"), "rules:\n  - pattern: \".*\"\n");
        // the JVM's remote JMX agent also binds a local connector on a port of its choosing, and resolves localhost
        Path policy = Files.writeString(tmp.resolve("policy.json"), """
                {"version": 1,
                 "filesystem": [{"path": "%s", "allow": ["read"]}, {"path": "%s", "allow": ["read"]}],
                 "network": {"tcp": {"bind": [%d, %d, %d, 0]}},
                 "dns": "hosts"}
                """.formatted(www, config, port, metricsPort, jmxPort));
        SandboxedJvm.Running server = SandboxedJvm.unconfined().start(List.of(SandboxedJvm.java().toString(),
                "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=" + policy,
                "-javaagent:" + EXPORTER + "=127.0.0.1:" + metricsPort + ":" + config,
                "-Dcom.sun.management.jmxremote.port=" + jmxPort, "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
                "-jar", SamplesTest.jar("http-server").toString(), www.toString(), Integer.toString(port)));
        try {
            server.awaitLine("serving", Duration.ofSeconds(60));
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            int denied = 40;
            for (int i = 0; i < denied; i++) {
                String file = i % 4 == 0 ? "var%2Flib%2Fdpkg%2Fstatus" : "etc%2Fhostname";
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + TRAVERSAL + file)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(403, r.statusCode(), r.body());
                assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            }

            String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            List<String> ours = metrics.lines().filter(l -> l.startsWith("dev_landlockagent")).toList();
            assertTrue(ours.stream().anyMatch(l -> l.matches("dev_landlockagent_Denials_Total(\\{.*})? " + denied + "(\\.0)?")),
                    "the exporter's text:\n" + String.join("\n", ours));

            try (JMXConnector jmx = JMXConnectorFactory.connect(
                    new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"))) {
                MBeanServerConnection c = jmx.getMBeanServerConnection();
                ObjectName name = new ObjectName("dev.landlockagent:type=Denials");
                assertEquals((long) denied, c.getAttribute(name, "Total"));
                assertEquals(policy.toString(), c.getAttribute(name, "PolicyOrigin"));
                // the FNV-1a digest of the policy's bytes, in hex without leading zeros (PolicySource.Document#digest)
                long fnv = 0xcbf29ce484222325L;
                for (byte b : Files.readAllBytes(policy)) {
                    fnv = (fnv ^ (b & 0xff)) * 0x100000001b3L;
                }
                assertEquals(Long.toHexString(fnv), c.getAttribute(name, "PolicyDigest"));
                assertEquals(Map.of("filesystem", (long) denied), rows((TabularData) c.getAttribute(name, "ByKind")));
                Map<String, Long> byDenial = rows((TabularData) c.getAttribute(name, "ByDenial"));
                assertEquals(2, byDenial.size(), "two fixes, /etc and /var/lib/dpkg: " + byDenial);
                assertEquals(List.of(10L, 30L), byDenial.values().stream().sorted().toList(), byDenial.toString());
                assertTrue(byDenial.keySet().stream().allMatch(k -> k.startsWith("\"filesystem\"")), byDenial.toString());
            }
        } finally {
            server.terminate();
            server.await();
        }
    }

    private static Map<String, Long> rows(TabularData t) {
        Map<String, Long> m = new HashMap<>();
        for (Object row : t.values()) {
            CompositeData d = (CompositeData) row;
            m.put((String) d.get("key"), (Long) d.get("value"));
        }
        return m;
    }
}
