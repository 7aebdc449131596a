package dev.landlockagent.it;

import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.landlockagent.it.Probes.assertAllowed;
import static dev.landlockagent.it.Probes.assertDenied;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a filesystem rule allows works; what it does not allow is denied. */
@RequiresLandlock(abi = 1)
class FilesystemRulesTest {

    @Test
    void allowedReadsAndWritesWorkAndEverythingElseIsDenied(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path readOnly = Files.createDirectories(tmp.resolve("read-only"));
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(data.resolve("in.txt"), "hello");
        Files.writeString(readOnly.resolve("in.txt"), "hello");
        Files.writeString(other.resolve("in.txt"), "hello");
        String policy = """
                {"version": 1, "filesystem": [
                  {"path": "%s", "allow": ["read", "write"]},
                  {"path": "%s", "allow": "read"}
                ]}""".formatted(data, readOnly);

        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withPolicyJson(policy),
                "read", data.resolve("in.txt").toString(),
                "write", data.resolve("out.txt").toString(),
                "read", readOnly.resolve("in.txt").toString(),
                "write", readOnly.resolve("out.txt").toString(),
                "read", other.resolve("in.txt").toString(),
                "write", other.resolve("out.txt").toString());

        assertAllowed(r, "read " + data.resolve("in.txt"));
        assertAllowed(r, "write " + data.resolve("out.txt"));
        assertEquals("written by probe\n", Files.readString(data.resolve("out.txt")));
        assertAllowed(r, "read " + readOnly.resolve("in.txt"));
        assertDenied(r, "write " + readOnly.resolve("out.txt"));
        assertDenied(r, "read " + other.resolve("in.txt"));
        assertDenied(r, "write " + other.resolve("out.txt"));
    }

    @Test
    void aRuleOnOneFileAllowsThatFileOnly(@TempDir Path tmp) throws Exception {
        Path allowed = Files.writeString(tmp.resolve("allowed.txt"), "yes");
        Path sibling = Files.writeString(tmp.resolve("sibling.txt"), "no");
        String policy = """
                {"version": 1, "filesystem": [{"path": "%s", "allow": ["read"]}]}""".formatted(allowed);
        SandboxedJvm.Result r = Probes.run(SandboxedJvm.withPolicyJson(policy),
                "read", allowed.toString(), "read", sibling.toString());
        assertAllowed(r, "read " + allowed);
        assertDenied(r, "read " + sibling);
    }
}
