package dev.landlockagent.it;

import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.landlockagent.it.Probes.assertAllowed;
import static dev.landlockagent.it.Probes.assertDenied;
import static dev.landlockagent.it.Probes.assertExit;
import static dev.landlockagent.it.Probes.result;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A confined root JVM keeps no capability the policy does not name, changes no metadata outside
 * the paths it may write, and makes no privileged syscall the policy does not allow; each denial
 * a JDK API meets is explained. Our machines run as root; {@code setpriv} gives the non-root case.
 */
@RequiresLandlock(abi = 1)
class PrivilegesTest {
    @TempDir
    Path tmp;

    static boolean root() throws IOException {
        return Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
    }

    private SandboxedJvm policy(String json) throws IOException {
        Path file = tmp.resolve("policy-" + Math.abs(json.hashCode()) + ".json");
        Files.writeString(file, json);
        return SandboxedJvm.withPolicy(file);
    }

    @Test
    void aRootJvmKeepsOnlyTheCapabilitiesThePolicyNamesInEverySet() throws IOException {
        assumeTrue(root(), "the root case needs root (CI runs as root)");
        SandboxedJvm.Result none = Probes.run(policy("{\"version\": 1}"), "caps");
        assertExit(none, 0);
        String caps = result(none, "caps");
        for (String set : new String[] {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
            assertTrue(caps.contains(set + "=0000000000000000"), set + " in " + caps);
        }
        SandboxedJvm.Result kept = Probes.run(policy("{\"version\": 1, \"capabilities\": [\"net_bind_service\"]}"), "caps");
        String keptCaps = result(kept, "caps");
        assertTrue(keptCaps.contains("CapEff=0000000000000400") && keptCaps.contains("CapPrm=0000000000000400")
                && keptCaps.contains("CapBnd=0000000000000400"), keptCaps);
        assertTrue(kept.stderr().contains("; capabilities net_bind_service;"), kept.describe());
        assertTrue(none.stderr().contains("; capabilities none;"), none.describe());
    }

    @Test
    void bindingPort80AsRootNeedsNetBindServiceAndItsDenialNamesTheCapability() throws IOException {
        assumeTrue(root(), "the root case needs root (CI runs as root)");
        try (ServerSocket probe = new ServerSocket(80)) {
            probe.getLocalPort(); // port 80 is free here
        } catch (IOException taken) {
            assumeTrue(false, "port 80 is in use on this machine: " + taken);
        }
        String open = "\"network\": \"unrestricted\", \"sockets\": \"unrestricted\"";
        SandboxedJvm.Result with = Probes.run(policy("{\"version\": 1, " + open + ", \"capabilities\": [\"net_bind_service\"]}"),
                "bind", "80");
        assertAllowed(with, "bind 80");
        SandboxedJvm.Result without = Probes.run(policy("{\"version\": 1, " + open + "}"), "bind", "80");
        assertDenied(without, "bind 80");
        String line = result(without, "bind 80");
        assertTrue(line.contains("java.net.BindException"), line);
        assertTrue(line.contains("ports below 1024 need CAP_NET_BIND_SERVICE"), line);
        assertTrue(line.contains("add to \"capabilities\"") && line.contains("\"net_bind_service\""), line);
    }

    @Test
    void metadataChangesOutsideTheWritablePathsAreDeniedAndExplainedAndInsideTheyWork() throws IOException {
        assumeTrue(root(), "the read-only view is for a JVM that may mount: root");
        Path writable = Files.createDirectories(tmp.resolve("writable"));
        Path inside = Files.writeString(writable.resolve("inside.txt"), "in");
        Path readOnly = Files.createDirectories(tmp.resolve("read-only"));
        Path outside = Files.writeString(readOnly.resolve("outside.txt"), "out");
        SandboxedJvm.Result r = Probes.run(policy("{\"version\": 1, \"filesystem\": [{\"path\": \"" + writable
                        + "\", \"allow\": [\"read\", \"write\"]}, {\"path\": \"" + readOnly + "\", \"allow\": [\"read\"]}]}"),
                "set-perms", outside.toString(), "rw-rw-rw-", "set-times", outside.toString(),
                "set-owner", outside.toString(), "nobody",
                "set-perms", inside.toString(), "rw-r-----", "set-times", inside.toString(), "set-owner", inside.toString(), "root",
                "set-mode", inside.toString(), "4755");
        assertExit(r, 0);
        String perms = result(r, "set-perms " + outside);
        assertTrue(perms.contains("java.nio.file.AccessDeniedException"), perms);
        assertTrue(perms.contains("change the permissions of " + outside) && perms.contains("add to \"filesystem\""), perms);
        assertDenied(r, "set-times " + outside);
        assertDenied(r, "set-owner " + outside);
        assertAllowed(r, "set-perms " + inside);
        assertAllowed(r, "set-times " + inside);
        assertAllowed(r, "set-owner " + inside);
        String setuid = result(r, "set-mode " + inside);
        assertTrue(setuid.contains("DENIED") && setuid.contains("setuid or setgid bit") && setuid.contains("\"@setid-modes\""),
                setuid);
        assertFalse(Files.getPosixFilePermissions(outside).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE),
                "the file outside kept its mode");
        assertTrue(r.stderr().contains("[landlock-agent] INFO confined by"), r.describe());
        assertFalse(r.stderr().contains("not enforced: metadata"), "root on the re-exec path has the read-only view\n" + r.describe());
    }

    @Test
    void aJvmThatMayNotMountSaysOnItsInfoLineThatItsOwnFilesKeepTheirMetadata() throws IOException {
        assumeTrue(root(), "setpriv needs root to change user");
        Path policyDir = Files.createDirectories(tmp.resolve("nobody"));
        policyDir.toFile().setReadable(true, false);
        tmp.toFile().setExecutable(true, false);
        Path file = Files.writeString(policyDir.resolve("policy.json"), "{\"version\": 1}");
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withPolicy(file).asUser(65534, 65534), "caps");
        assertExit(r, 0);
        assertTrue(r.stderr().contains("not enforced: metadata (chmod, chown, times, xattrs) of files this user owns outside"
                + " the writable paths (the read-only mount view needs CAP_SYS_ADMIN)"), r.describe());
        assertTrue(result(r, "caps").contains("CapEff=0000000000000000"), r.describe());
    }

    @Test
    void aPrivilegedSyscallRunsOnlyWhenThePolicyAllowsItsGroup() throws IOException {
        SandboxedJvm.Result denied = Probes.run(policy("{\"version\": 1}"), "keyctl");
        assertTrue(result(denied, "keyctl").contains("DENIED errno 1"), denied.describe());
        SandboxedJvm.Result allowed = Probes.run(policy("{\"version\": 1, \"syscalls\": {\"allow\": [\"@keyring\"]}}"), "keyctl");
        assertAllowed(allowed, "keyctl");
        assertTrue(allowed.stderr().contains("privileged syscalls denied (list 1, allowed @keyring)"), allowed.describe());
    }
}
