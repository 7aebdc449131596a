package dev.landlockagent.policy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy parser and validator under Jazzer. The property: any input either parses into a
 * policy or fails with the parser's own {@link PolicyException}, each problem carrying a location
 * in the input; nothing else is thrown, nothing hangs (Jazzer's per-input timeout), and the only
 * file-system access is asking what is at a rule's own path, never a read.
 *
 * <p>Every build runs the inputs kept in {@code src/test/resources/.../PolicyFuzzTestInputs}
 * (regression mode). {@code JAZZER_FUZZ=1 ./mvnw -pl agent test -Dtest=PolicyFuzzTest} fuzzes for
 * the {@code maxDuration} below; see docs/security.md for a long run and its results.
 */
class PolicyFuzzTest {
    private static final Path BASE = Path.of("/fuzz/policy-folder");
    private static final String ORIGIN = "/fuzz/policy-folder/policy.json";

    @FuzzTest(maxDuration = "30s")
    void anyInputParsesOrFailsWithALocatedPolicyError(byte[] input) {
        check(input);
    }

    /**
     * The long run: {@code JAZZER_FUZZ=1 ./mvnw -pl bootstrap-native,agent test -Dtest=PolicyFuzzTest
     * -Dpolicy.fuzz.long=true -Dsurefire.failIfNoSpecifiedTests=false}; the same property for fifteen minutes.
     */
    @FuzzTest(maxDuration = "15m")
    @EnabledIfSystemProperty(named = "policy.fuzz.long", matches = "true")
    void longRun(byte[] input) {
        check(input);
    }

    private static void check(byte[] input) {
        List<Path> asked = new ArrayList<>();
        PolicyContext ctx = PolicyContext.of(Path.of("/fuzz/jdk"), Path.of("/fuzz/tmp"), Path.of("/fuzz/home"),
                        Path.of("/fuzz/cwd"), Path.of("/fuzz/app"), BASE, Map.of("HOME", "/fuzz/home", "DATA", "../data"))
                .withFiles(path -> {
                    asked.add(path);
                    // Deterministic answers, so that both the "exists" and the "missing" paths run.
                    return Math.floorMod(path.toString().hashCode(), 3);
                });
        Policy policy;
        try {
            policy = PolicyParser.parse(input, ORIGIN, ctx);
        } catch (PolicyException e) {
            assertFalse(e.problems().isEmpty(), "a PolicyException names at least one problem");
            for (PolicyProblem p : e.problems()) {
                assertNotNull(p.at(), "every problem has a location: " + p);
                assertEquals(ORIGIN, p.at().origin(), p.toString());
                assertTrue(p.at().line() >= 1 && p.at().column() >= 1, "line and column are 1-based: " + p);
                assertNotNull(p.problem(), p.toString());
                assertFalse(p.problem().isBlank(), p.toString());
            }
            assertTrue(e.getMessage().contains(ORIGIN + ":"), e.getMessage());
            return;
        }
        assertNotNull(policy);
        // The parser asked only about the paths of its own rules, each absolute.
        Set<Path> rulePaths = new HashSet<>();
        if (policy.filesystem() instanceof Policy.FilesystemRules rules) {
            for (Policy.PathRule r : rules.rules()) {
                assertTrue(r.path().isAbsolute(), "rule paths are absolute: " + r.path());
                rulePaths.add(r.path());
            }
        }
        for (Path p : asked) {
            assertTrue(p.isAbsolute(), "asked about a relative path: " + p);
        }
        assertTrue(rulePaths.containsAll(rulePaths.stream().filter(asked::contains).toList()));
    }
}
