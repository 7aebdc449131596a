package dev.landlockagent.it;

import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static dev.landlockagent.it.Probes.assertAllowed;
import static dev.landlockagent.it.Probes.assertDenied;

/** Landlock's TCP port rules (ABI 4): bind and connect to allowed ports work, others are denied. */
@RequiresLandlock(abi = 4)
class TcpRulesTest {
    private ServerSocket allowedListener;
    private ServerSocket otherListener;

    @BeforeEach
    void listen() throws IOException {
        allowedListener = new ServerSocket();
        allowedListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        otherListener = new ServerSocket();
        otherListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void close() throws IOException {
        allowedListener.close();
        otherListener.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void bindToTheAllowedPortWorksAndAnyOtherPortIsDenied() throws IOException {
        int allowed = freePort();
        int other = freePort();
        String policy = """
                {"version": 1, "network": {"tcp": {"bind": [%d]}}}""".formatted(allowed);
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withPolicyJson(policy),
                "bind", Integer.toString(allowed), "bind", Integer.toString(other), "bind", "0");
        assertAllowed(r, "bind " + allowed);
        assertDenied(r, "bind " + other);
        assertDenied(r, "bind 0");
    }

    @Test
    void portZeroAllowsAnEphemeralBindAndARangeAllowsItsPorts() throws IOException {
        int port = freePort();
        String policy = """
                {"version": 1, "network": {"tcp": {"bind": [0, "%d-%d"]}}}""".formatted(port, port);
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withPolicyJson(policy), "bind", "0", "bind", Integer.toString(port));
        assertAllowed(r, "bind 0");
        assertAllowed(r, "bind " + port);
    }

    @Test
    void connectToTheAllowedPortWorksAndAnyOtherPortIsDenied() {
        int allowed = allowedListener.getLocalPort();
        int other = otherListener.getLocalPort();
        String policy = """
                {"version": 1, "network": {"tcp": {"connect": [%d]}}}""".formatted(allowed);
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withPolicyJson(policy),
                "connect", Integer.toString(allowed), "connect", Integer.toString(other));
        assertAllowed(r, "connect " + allowed);
        assertDenied(r, "connect " + other);
    }

    @Test
    void withoutANetworkKeyNoSocketCanEvenBeCreated() {
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withPolicyJson("{\"version\": 1}"),
                "connect", Integer.toString(allowedListener.getLocalPort()));
        assertDenied(r, "connect");
    }
}
