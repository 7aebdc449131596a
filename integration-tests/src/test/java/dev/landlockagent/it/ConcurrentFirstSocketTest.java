package dev.landlockagent.it;

import dev.landlockagent.it.probe.FirstSockets;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import static dev.landlockagent.it.Probes.assertAllowed;
import static dev.landlockagent.it.Probes.assertExit;
import static dev.landlockagent.it.Probes.result;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 32 threads open and close sockets at the same moment as the JVM's very first sockets, while the
 * agent is still instrumenting the JDK's socket classes: no error, no deadlock (the run has a time
 * limit), and every denial explained.
 */
@RequiresLandlock(abi = 4)
class ConcurrentFirstSocketTest {
    @Test
    void thirtyTwoThreadsDuringInstrumentation() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        s.getInputStream();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            int denied = freePort();
            String policy = "{\"version\": 1, \"network\": {\"tcp\": {\"connect\": [" + server.getLocalPort() + "]}}}";
            SandboxedJvm.Result r = SandboxedJvm.withPolicyJson(policy).classpath(Probes.testClasses())
                    .jvmOptions("-Dlandlock.timing=true")
                    .timeout(Probes.awaitLimit().multipliedBy(4))
                    .run(FirstSockets.class.getName(), "32", "50", String.valueOf(server.getLocalPort()), String.valueOf(denied));
            assertExit(r, 0);
            assertAllowed(r, "first-sockets");
            String line = result(r, "first-sockets");
            assertTrue(line.contains("1600 rounds, 1600 denials explained"), line + "\n" + r.describe());
            acceptor.interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
