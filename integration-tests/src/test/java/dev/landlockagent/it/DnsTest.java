package dev.landlockagent.it;

import dev.landlockagent.testing.SandboxedJvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.landlockagent.it.Probes.assertAllowed;
import static dev.landlockagent.it.Probes.assertDenied;

/** "dns": true allows name resolution through glibc; without it only literal addresses work. */
@RequiresLandlock(abi = 4)
class DnsTest {

    /** A name /etc/hosts maps, other than "localhost" (which the JDK answers itself, without glibc). */
    private static String nameFromEtcHosts() throws Exception {
        for (String line : Files.readAllLines(Path.of("/etc/hosts"))) {
            String[] f = line.replaceAll("#.*", "").trim().split("\\s+");
            for (int i = 1; i < f.length; i++) {
                if (!f[i].equals("localhost") && !f[i].isEmpty() && !f[i].contains("localhost.")) {
                    return f[i];
                }
            }
        }
        Assumptions.abort("/etc/hosts maps no name but localhost");
        return null;
    }

    @Test
    void aNameFromEtcHostsResolvesWithDnsAndNotWithout() throws Exception {
        String name = nameFromEtcHosts();
        SandboxedJvm.Result with = Probes.run(SandboxedJvm.withPolicyJson("{\"version\": 1, \"dns\": true}"),
                "resolve", name, "resolve", "127.0.0.1");
        assertAllowed(with, "resolve " + name);
        SandboxedJvm.Result without = Probes.run(SandboxedJvm.withPolicyJson("{\"version\": 1}"),
                "resolve", name, "resolve", "127.0.0.1");
        assertDenied(without, "resolve " + name);
        assertAllowed(without, "resolve 127.0.0.1");
    }

    @Test
    void anUnknownHostExceptionSaysWhenThePolicyStoppedNameResolution() {
        SandboxedJvm.Result without = Probes.run(SandboxedJvm.withPolicyJson("{\"version\": 1}"), "resolve", "example.invalid");
        String line = Probes.result(without, "resolve example.invalid");
        org.junit.jupiter.api.Assertions.assertTrue(line.contains("java.net.UnknownHostException")
                && line.contains("landlock-agent: resolve example.invalid (") && line.contains("add \"dns\": true"), line);
        SandboxedJvm.Result with = Probes.run(SandboxedJvm.withPolicyJson("{\"version\": 1, \"dns\": true}"),
                "resolve", "example.invalid");
        org.junit.jupiter.api.Assertions.assertFalse(Probes.result(with, "resolve example.invalid").contains("landlock-agent"),
                "with dns allowed, an unknown name is just unknown");
    }
}
