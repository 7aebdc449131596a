package dev.landlockagent.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * deploy/kubernetes.yaml against the Kubernetes API's schemas, offline: npm's kubernetes-models
 * (pinned in integration-tests/kubernetes-check/package-lock.json, installed once with {@code npm ci})
 * validates each document, and its check.mjs also rejects fields the schema does not know, as
 * kubectl's strict field validation does. Broken copies of the manifest show that each kind of
 * mistake is caught. Skipped without node and npm, or fails with {@code TEST_TOOLS_REQUIRED=1}.
 */
class KubernetesManifestTest {
    private static final Path ROOT = NestedMaven.ROOT;
    private static Path checker;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void install() throws Exception {
        for (String tool : List.of("node", "npm")) {
            if (run(tmp, "sh", "-c", "command -v " + tool).exit != 0) {
                String why = tool + " is not installed (Debian: apt-get install nodejs npm)";
                if ("1".equals(System.getenv("TEST_TOOLS_REQUIRED"))) {
                    fail(why + " (and TEST_TOOLS_REQUIRED=1)");
                }
                Assumptions.abort(why);
            }
        }
        checker = tmp.resolve("kubernetes-check");
        Files.createDirectories(checker);
        for (String f : List.of("package.json", "package-lock.json", "check.mjs")) {
            Files.copy(ROOT.resolve("integration-tests/kubernetes-check").resolve(f), checker.resolve(f));
        }
        Result npm = run(checker, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
        assertEquals(0, npm.exit, "npm ci:\n" + npm.output);
    }

    @Test
    void theManifestIsValidAgainstTheKubernetesSchemas() throws Exception {
        Result r = check(ROOT.resolve("deploy/kubernetes.yaml"));
        assertEquals(0, r.exit, r.output);
        for (String kind : List.of("v1 ConfigMap http-server-landlock-policy: valid", "apps/v1 Deployment http-server: valid",
                "v1 Service http-server: valid")) {
            assertTrue(r.output.contains(kind), r.output);
        }
    }

    @Test
    void eachKindOfMistakeIsCaught() throws Exception {
        String manifest = Files.readString(ROOT.resolve("deploy/kubernetes.yaml"));
        assertCaught(manifest.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesytem: true"),
                "unknown field spec.template.spec.containers[0].securityContext.readOnlyRootFilesytem");
        assertCaught(manifest.replace("containerPort: 8080", "containerPort: \"eighty\""),
                "spec/template/spec/containers/0/ports/0/containerPort must be integer");
        assertCaught(manifest.replace("kind: Deployment", "kind: Deploymnet"), "the Kubernetes API has no apps/v1 Deploymnet");
        assertCaught(manifest.replace("      volumes:\n        - name: policy\n          configMap:",
                "      volumes:\n        - configMap:"), "spec/template/spec/volumes/0 must have required property name");
    }

    private static void assertCaught(String broken, String message) throws Exception {
        Path file = Files.writeString(Files.createTempFile(tmp, "broken", ".yaml"), broken);
        Result r = check(file);
        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains(message), r.output);
    }

    private static Result check(Path manifest) throws Exception {
        return run(checker, "node", "check.mjs", manifest.toString());
    }

    private record Result(int exit, String output) {
    }

    private static Result run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not end in 5 minutes:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }
}
