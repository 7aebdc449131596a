package dev.landlockagent.it;

import dev.landlockagent.junit.SandboxedJvm;
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

    /**
     * Servers resolve their own host name at start (Kafka, Derby, H2). /etc/hosts holds it, so
     * "dns": "hosts" is enough, opens no socket, and is what the denial suggests.
     */
    @Test
    void aNameFromEtcHostsNeedsOnlyDnsHostsWhichTheDenialSuggests() throws Exception {
        String name = nameFromEtcHosts();
        SandboxedJvm.Result hosts = Probes.run(SandboxedJvm.withPolicyJson("{\"version\": 1, \"dns\": \"hosts\"}"),
                "resolve", name, "resolve", "example.invalid", "udp-send", "53");
        assertAllowed(hosts, "resolve " + name);
        String other = Probes.result(hosts, "resolve example.invalid");
        org.junit.jupiter.api.Assertions.assertTrue(other.contains("UDP sockets for DNS not allowed")
                && other.contains("add to the policy: \"dns\": true"), other);
        assertDenied(hosts, "udp-send 53");
        String own = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        SandboxedJvm.Result without = Probes.run(SandboxedJvm.withPolicyJson("{\"version\": 1}"), "resolve", own);
        String line = Probes.result(without, "resolve " + own);
        org.junit.jupiter.api.Assertions.assertTrue(line.contains("add to the policy: \"dns\": \"hosts\""), without.describe());
    }

    @Test
    void anUnknownHostExceptionSaysWhenThePolicyStoppedNameResolution() {
        SandboxedJvm.Result without = Probes.run(SandboxedJvm.withPolicyJson("{\"version\": 1}"), "resolve", "example.invalid");
        String line = Probes.result(without, "resolve example.invalid");
        org.junit.jupiter.api.Assertions.assertTrue(line.contains("java.net.UnknownHostException")
                && line.contains("landlock-agent: resolve example.invalid (") && line.contains("add to the policy: \"dns\": true"), line);
        org.junit.jupiter.api.Assertions.assertEquals(line.indexOf("\"dns\": true"), line.lastIndexOf("\"dns\": true"),
                "the fix is written once: " + line);
        SandboxedJvm.Result with = Probes.run(SandboxedJvm.withPolicyJson("{\"version\": 1, \"dns\": true}"),
                "resolve", "example.invalid");
        org.junit.jupiter.api.Assertions.assertFalse(Probes.result(with, "resolve example.invalid").contains("landlock-agent"),
                "with dns allowed, an unknown name is just unknown");
    }
}
