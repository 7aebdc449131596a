package dev.landlockagent.it;

import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's project outside this repository (sample-apps/junit-user, copied to a folder of its own)
 * depends on dev.landlockagent:landlock-agent-junit by its coordinates, from the local repository
 * that the README's {@code ./mvnw install} fills, and its build runs: its {@code @Sandboxed} unit
 * tests pass (one asserts a denial as a typed value), its integration tests run in a Failsafe JVM the
 * agent confines, and {@code -Dlandlock.failOnDenial=true} fails that build, naming the denial.
 */
@RequiresLandlock
class JunitUserTest {
    private static final Path ROOT = NestedMaven.ROOT;

    @Test
    void aProjectOutsideTheReactorUsesTheExtensionByItsCoordinates(@TempDir Path dir) throws Exception {
        String version = NestedMaven.version();
        Path repo = NestedMaven.repository();
        Path installed = repo.resolve("dev/landlockagent/landlock-agent/" + version + "/landlock-agent-" + version + ".jar");
        assertTrue(Files.isRegularFile(installed) && Arrays.equals(Files.readAllBytes(installed),
                        Files.readAllBytes(SandboxedJvm.defaultAgentJar())),
                installed + " is not the agent jar this build made: run the README's ./mvnw -B -ntp install");
        Path project = dir.resolve("notes");
        copy(ROOT.resolve("sample-apps/junit-user"), project);

        NestedMaven.Build ok = NestedMaven.run(project, "verify");
        assertEquals(0, ok.exit(), ok.output());
        assertEquals(List.of(6, 0, 0, 0), totals(project.resolve("target/surefire-reports")), ok.output());
        assertEquals(List.of(2, 0, 0, 0), totals(project.resolve("target/failsafe-reports")), ok.output());
        assertTrue(Files.readString(project.resolve("target/surefire-reports/TEST-com.example.notes.NotesTest.xml"))
                .contains("name=\"theLauncherReportsEachDenialAsATypedValue"), ok.output());

        NestedMaven.Build strict = NestedMaven.run(project, "verify", "-Dlandlock.failOnDenial=true");
        assertNotEquals(0, strict.exit(), strict.output());
        assertTrue(strict.output().contains("NotesIT.anUnreadableNoteIsEmpty landlock-agent denied 1 operation during this"
                        + " test under policy " + project.toRealPath().resolve("src/test/it-policy.json")),
                strict.output());
        assertTrue(strict.output().contains("1 × add to \"filesystem\": read_file in " + project.toRealPath()), strict.output());
        assertEquals(List.of(2, 1, 0, 0), totals(project.resolve("target/failsafe-reports")), strict.output());
    }

    /** Tests, failures, errors and skipped over a reports folder. */
    private static List<Integer> totals(Path reports) throws IOException {
        int[] t = new int[4];
        Pattern suite = Pattern.compile("<testsuite [^>]*");
        try (var files = Files.list(reports)) {
            for (Path f : files.filter(x -> x.getFileName().toString().matches("TEST-.*\\.xml")).toList()) {
                Matcher m = suite.matcher(Files.readString(f));
                if (m.find()) {
                    String head = m.group();
                    String[] keys = {"tests", "failures", "errors", "skipped"};
                    for (int i = 0; i < 4; i++) {
                        Matcher v = Pattern.compile(" " + keys[i] + "=\"(\\d+)\"").matcher(head);
                        if (v.find()) {
                            t[i] += Integer.parseInt(v.group(1));
                        }
                    }
                }
            }
        }
        return List.of(t[0], t[1], t[2], t[3]);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var tree = Files.walk(from)) {
            for (Path p : tree.toList()) {
                Path rel = from.relativize(p);
                if (rel.startsWith("target")) {
                    continue;
                }
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
