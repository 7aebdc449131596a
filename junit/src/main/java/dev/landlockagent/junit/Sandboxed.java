package dev.landlockagent.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test confined by landlock-agent, in a JVM of its own; the test JVM is never confined.
 *
 * <p>On a {@code @Test} method, or on a class for each of its {@code @Test} methods: the method runs,
 * with the class's {@code @BeforeEach}, {@code @AfterEach}, {@code @BeforeAll} and {@code @AfterAll}
 * methods, in a forked JVM on the test class path under {@link #policy()}. Its outcome is the test's
 * (an assertion that fails there fails here, with its own exception and stack trace; an aborted
 * assumption aborts it), its output is replayed on this JVM's stdout and stderr, and each denial is
 * published as a report entry {@code landlock.denial}. With {@link #failOnDenial()}, a test that
 * passed but met a denial fails, listing the denials; a test that failed lists them too.
 *
 * <p>A method that declares a {@link SandboxedJvm} parameter is not forked: it runs here and is given a
 * launcher configured from this annotation (policy, JVM options, the test class path), to start the
 * confined programs it asserts on; {@link SandboxedJvm.Result#denials()} lists their denials as typed
 * {@link Denial}s.
 *
 * <p>It may be used as a meta-annotation: {@code @Sandboxed(policy = "src/test/service-policy.json")}
 * on an annotation of the project's own puts that policy on every test the annotation marks. The
 * nearest declaration wins: the method's over its class's.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SandboxedExtension.class)
public @interface Sandboxed {
    /**
     * The policy: a file path (relative to the working directory, which under Maven is the module's
     * folder), or {@code classpath:name} for a resource on the test class path.
     */
    String policy();

    /** More options for the confined JVM, e.g. {@code -Xmx256m} or {@code -Dlandlock.log=warn}. */
    String[] jvmOptions() default {};

    /** Fail a test that passed but met a denial. */
    boolean failOnDenial() default false;

    /** How long the forked JVM may take, in seconds. */
    long timeoutSeconds() default 120;
}
