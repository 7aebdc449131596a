package dev.landlockagent.it;

import dev.landlockagent.junit.Denial;
import dev.landlockagent.junit.Sandboxed;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * landlock-agent-junit's {@code @Sandboxed}, run as JUnit runs it: the classes below (not run on
 * their own: Surefire skips nested classes) go through the Jupiter engine with JUnit's test kit, and
 * what the engine reports (outcome, exception, report entries) is checked against what each test did
 * in its confined JVM. The policy lets the tests read src/test/resources/junit and nothing of the
 * project else: reading pom.xml is denied there, and allowed in this JVM.
 */
@RequiresLandlock
class JunitExtensionTest {
    static final String POLICY = "src/test/resources/junit/policy.json";
    static final Path POM = Path.of("pom.xml");

    @Test
    void eachOutcomeOfTheConfinedTestIsTheTestsOutcomeHereAndEachDenialAReportEntry() {
        EngineExecutionResults results = run(Cases.class);
        Map<String, Event> finished = finished(results);
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(finished, "passes"));
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(finished, "aDeniedReadThrowsTheFriendlyException"));

        Throwable failed = error(finished, "failsAnAssertion");
        AssertionFailedError afe = assertInstanceOf(AssertionFailedError.class, failed, "the child's own exception");
        assertEquals("expected", afe.getExpected().getValue());
        assertEquals("actual", afe.getActual().getValue());
        assertTrue(stackNames(afe).contains(Cases.class.getName()), "with its stack trace from the confined JVM");

        assertInstanceOf(TestAbortedException.class, error(finished, "aborts"));
        assertEquals(TestExecutionResult.Status.ABORTED, status(finished, "aborts"));

        Throwable denied = error(finished, "failsOnADeniedRead");
        assertTrue(denied instanceof IOException && denied.getMessage().contains("is not allowed by the landlock-agent policy"),
                String.valueOf(denied));
        assertEquals(1, denied.getSuppressed().length, "the denials are attached to the failure");
        assertTrue(denied.getSuppressed()[0].getMessage().contains("filesystem: read pom.xml"),
                denied.getSuppressed()[0].getMessage());

        Throwable exited = error(finished, "exits");
        assertTrue(exited.getMessage().contains("ended with exit status 4 before the test finished"), exited.getMessage());

        List<String> entries = new ArrayList<>();
        for (Event e : results.allEvents().list()) {
            if (e.getType() == EventType.REPORTING_ENTRY_PUBLISHED
                    && e.getTestDescriptor().getDisplayName().startsWith("aDeniedReadThrowsTheFriendlyException")) {
                entries.add(e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs().get("landlock.denial"));
            }
        }
        assertEquals(1, entries.size(), entries.toString());
        assertTrue(entries.get(0).startsWith("filesystem: read pom.xml") && entries.get(0).contains(" (add to \"filesystem\": "),
                entries.get(0));
    }

    @Test
    void failOnDenialFailsATestThatSwallowedADenial() {
        Map<String, Event> finished = finished(run(Strict.class));
        Throwable t = error(finished, "swallowsADenial");
        assertInstanceOf(AssertionError.class, t);
        assertTrue(t.getMessage().startsWith("landlock-agent denied 1 operation in the sandboxed JVM:\n  filesystem: read pom.xml"),
                t.getMessage());
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(finished, "deniedNothing"));
    }

    @Test
    void lifecycleMethodsRunInTheConfinedJvmOnly() {
        Lifecycle.beforeEachHere = 0;
        Map<String, Event> finished = finished(run(Lifecycle.class));
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(finished, "seesWhatBeforeEachSet"),
                String.valueOf(finished.get("seesWhatBeforeEachSet")));
        assertEquals(0, Lifecycle.beforeEachHere, "@BeforeEach ran in the test JVM too");
    }

    @Test
    void aMetaAnnotationNestedClassesAndParameterizedTestsAreConfined() {
        Map<String, Event> finished = finished(run(Meta.class));
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(finished, "confinedThroughTheProjectsAnnotation"));
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(finished, "anInnerTestIsConfinedToo"));
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(finished, "[1] pom.xml"));
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(finished, "[2] build.xml"));
    }

    @Test
    void aSandboxedJvmParameterGetsALauncherAndTypedDenials() {
        Map<String, Event> finished = finished(run(Launching.class));
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(finished, "launchesAConfinedProgram(SandboxedJvm)"),
                String.valueOf(finished.get("launchesAConfinedProgram(SandboxedJvm)")));
    }

    @Test
    void aPolicyThatIsMissingOrBadFailsTheTestWithItsReason() {
        Throwable missing = error(finished(run(MissingPolicy.class)), "t");
        assertInstanceOf(ExtensionConfigurationException.class, missing);
        assertTrue(missing.getMessage().contains("the policy file ") && missing.getMessage().contains("no-such-policy.json does not exist"),
                missing.getMessage());

        Throwable broken = error(finished(run(BrokenPolicy.class)), "t");
        assertTrue(broken.getMessage().contains("ended with exit status 78 before the test finished (landlock-agent refused to start"),
                broken.getMessage());
    }

    // ---- the test classes JUnit runs above ----

    @Sandboxed(policy = POLICY)
    static class Cases {
        @Test
        void passes() {
        }

        @Test
        void failsAnAssertion() {
            assertEquals("expected", "actual");
        }

        @Test
        void aborts() {
            assumeTrue(false, "not on this machine");
        }

        @Test
        void aDeniedReadThrowsTheFriendlyException() {
            IOException e = assertThrows(IOException.class, () -> Files.readString(POM));
            assertTrue(e.getMessage().contains("is not allowed by the landlock-agent policy"), e.getMessage());
        }

        @Test
        void failsOnADeniedRead() throws IOException {
            Files.readString(POM);
        }

        @Test
        void exits() {
            System.exit(4);
        }
    }

    @Sandboxed(policy = POLICY, failOnDenial = true)
    static class Strict {
        @Test
        void swallowsADenial() {
            try {
                Files.readString(POM);
            } catch (IOException expected) {
                // code under test that hides a denial
            }
        }

        @Test
        void deniedNothing() throws IOException {
            Files.readString(Path.of(POLICY));
        }
    }

    @Sandboxed(policy = POLICY)
    static class Lifecycle {
        static int beforeEachHere;
        String set;

        @BeforeEach
        void before() {
            beforeEachHere++;
            set = "by @BeforeEach";
        }

        @Test
        void seesWhatBeforeEachSet() {
            assertEquals("by @BeforeEach", set);
            assertThrows(IOException.class, () -> Files.readString(POM)); // and is confined
        }
    }

    @Target({ElementType.TYPE, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @Sandboxed(policy = "classpath:junit/policy.json")
    @interface ProjectPolicy {
    }

    @ProjectPolicy
    static class Meta {
        @Test
        void confinedThroughTheProjectsAnnotation() {
            assertThrows(IOException.class, () -> Files.readString(POM));
        }

        @ParameterizedTest
        @ValueSource(strings = {"pom.xml", "build.xml"})
        void eachInvocationIsConfined(String name) {
            assertThrows(IOException.class, () -> Files.readString(Path.of(name)));
        }

        @Nested
        class Inner {
            @Test
            void anInnerTestIsConfinedToo() {
                assertThrows(IOException.class, () -> Files.readString(POM));
            }
        }
    }

    static class Launching {
        @Test
        @Sandboxed(policy = POLICY)
        void launchesAConfinedProgram(SandboxedJvm jvm) throws IOException {
            assertNotNull(Files.readString(POM), "this method runs in the test JVM");
            SandboxedJvm.Result r = jvm.run(ReadFile.class.getName(), POM.toString());
            assertEquals(1, r.exitCode(), r.describe());
            assertEquals(1, r.denials().size(), r.describe());
            Denial d = r.denials().get(0);
            assertEquals("filesystem", d.kind());
            assertEquals("pom.xml", d.path());
            assertTrue(d.byPolicy() && d.where().equals("\"filesystem\""), d.toString());
            assertEquals(List.of(d), r.denials("filesystem"));
        }
    }

    /** Reads the file it is given. */
    public static final class ReadFile {
        public static void main(String[] args) throws IOException {
            System.out.println(Files.readString(Path.of(args[0])).length());
        }
    }

    @Sandboxed(policy = "src/test/resources/junit/no-such-policy.json")
    static class MissingPolicy {
        @Test
        void t() {
        }
    }

    @Sandboxed(policy = "classpath:junit/broken-policy.json")
    static class BrokenPolicy {
        @Test
        void t() {
        }
    }

    // ---- helpers ----

    private static EngineExecutionResults run(Class<?> cases) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(cases)).execute();
    }

    /** Each finished or skipped test by its display name. */
    private static Map<String, Event> finished(EngineExecutionResults results) {
        Map<String, Event> out = new TreeMap<>();
        for (Event e : results.testEvents().list()) {
            if (e.getType() == EventType.FINISHED || e.getType() == EventType.SKIPPED) {
                String name = e.getTestDescriptor().getDisplayName();
                out.put(name.endsWith("()") ? name.substring(0, name.length() - 2) : name, e);
            }
        }
        return out;
    }

    private static TestExecutionResult.Status status(Map<String, Event> finished, String name) {
        Event e = finished.get(name);
        assertNotNull(e, "no test " + name + " in " + finished.keySet());
        return e.getPayload(TestExecutionResult.class).orElseThrow().getStatus();
    }

    private static Throwable error(Map<String, Event> finished, String name) {
        Event e = finished.get(name);
        assertNotNull(e, "no test " + name + " in " + finished.keySet());
        return e.getPayload(TestExecutionResult.class).orElseThrow().getThrowable()
                .orElseThrow(() -> new AssertionError(name + " did not fail: " + e));
    }

    private static String stackNames(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement s : t.getStackTrace()) {
            b.append(s.getClassName()).append('\n');
        }
        return b.toString();
    }
}
