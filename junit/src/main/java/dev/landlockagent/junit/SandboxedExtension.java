package dev.landlockagent.junit;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@link Sandboxed} does: forks the test method into a confined JVM and reports its outcome,
 * output and denials here; or, for a method that declares a {@link SandboxedJvm} parameter, gives it
 * a launcher configured from the annotation. In the forked JVM itself it lets everything run.
 */
public final class SandboxedExtension implements InvocationInterceptor, ParameterResolver {
    /** Set in the forked JVM: there the test runs as written. */
    static final String FORKED = "landlock.junit.forked";
    /** {@code true} in a test JVM the agent confines: a test that met a denial fails ({@link DenialGuard}). */
    static final String FAIL_ON_DENIAL = "landlock.junit.failOnDenial";

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                    ExtensionContext context) throws Throwable {
        test(invocation, call, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                            ExtensionContext context) throws Throwable {
        test(invocation, call, context); // each invocation of a @ParameterizedTest or @RepeatedTest in a JVM of its own
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                          ExtensionContext context) throws Throwable {
        lifecycle(invocation, context);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                         ExtensionContext context) throws Throwable {
        lifecycle(invocation, context);
    }

    @Override
    public void interceptBeforeAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                         ExtensionContext context) throws Throwable {
        classLifecycle(invocation, context);
    }

    @Override
    public void interceptAfterAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                        ExtensionContext context) throws Throwable {
        classLifecycle(invocation, context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SandboxedJvm.class && !inFork() && sandboxed(context).isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return launcher(sandboxed(context).orElseThrow(), context, false);
    }

    private static void test(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                             ExtensionContext context) throws Throwable {
        Optional<Sandboxed> sandboxed = sandboxed(context);
        if (inFork() || sandboxed.isEmpty() || declaresLauncher(call.getExecutable())) {
            invocation.proceed();
            return;
        }
        invocation.skip();
        runForked(sandboxed.get(), context);
    }

    /** {@code @BeforeEach} and {@code @AfterEach} of a forked test run in the forked JVM, not here. */
    private static void lifecycle(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        if (!inFork() && forked(context)) {
            invocation.skip();
        } else {
            invocation.proceed();
        }
    }

    /** With {@code @Sandboxed} on the class, its {@code @BeforeAll} and {@code @AfterAll} run in each forked JVM only. */
    private static void classLifecycle(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        if (!inFork() && context.getTestClass().isPresent()
                && AnnotationSupport.findAnnotation(context.getTestClass().get(), Sandboxed.class).isPresent()) {
            invocation.skip();
        } else {
            invocation.proceed();
        }
    }

    private static boolean forked(ExtensionContext context) {
        return sandboxed(context).isPresent()
                && !(context.getTestMethod().isPresent() && declaresLauncher(context.getTestMethod().get()));
    }

    static boolean inFork() {
        return Boolean.getBoolean(FORKED);
    }

    private static boolean declaresLauncher(Method m) {
        for (Class<?> p : m.getParameterTypes()) {
            if (p == SandboxedJvm.class) {
                return true;
            }
        }
        return false;
    }

    /** The nearest {@code @Sandboxed}, direct or as a meta-annotation: the method's, its class's, an enclosing class's. */
    static Optional<Sandboxed> sandboxed(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<AnnotatedElement> element = c.getElement();
            if (element.isPresent()) {
                Optional<Sandboxed> s = AnnotationSupport.findAnnotation(element.get(), Sandboxed.class);
                if (s.isPresent()) {
                    return s;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A launcher with the annotation's policy, options and timeout, on this JVM's test class path; for a
     * forked test, without the agent's INFO line (the annotation's options may set it back) and marked
     * as the fork.
     */
    static SandboxedJvm launcher(Sandboxed s, ExtensionContext context, boolean fork) {
        SandboxedJvm jvm = SandboxedJvm.withAgentArgument(policyArgument(s, context));
        if (fork) {
            jvm.jvmOptions("-Dlandlock.log=warn");
        }
        jvm.jvmOptions(s.jvmOptions()).timeout(Duration.ofSeconds(s.timeoutSeconds()));
        if (fork) {
            jvm.jvmOptions("-D" + FORKED + "=true");
        }
        for (Path entry : SandboxedJvm.testClasspath()) {
            jvm.classpath(entry);
        }
        return jvm;
    }

    private static String policyArgument(Sandboxed s, ExtensionContext context) {
        String policy = s.policy().strip();
        if (policy.isEmpty()) {
            throw new ExtensionConfigurationException("@Sandboxed on " + context.getDisplayName()
                    + " names no policy: give policy = \"path/to/policy.json\" or \"classpath:policy.json\"");
        }
        if (policy.startsWith("classpath:")) {
            String resource = policy.substring("classpath:".length());
            if (Thread.currentThread().getContextClassLoader().getResource(resource) == null) {
                throw new ExtensionConfigurationException("@Sandboxed on " + context.getDisplayName() + ": no resource "
                        + resource + " on the test class path (src/test/resources/" + resource + ")");
            }
            return policy;
        }
        Path file = Path.of(policy).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new ExtensionConfigurationException("@Sandboxed on " + context.getDisplayName() + ": the policy file "
                    + file + " does not exist (a relative path is taken from " + Path.of("").toAbsolutePath()
                    + "; use \"classpath:name\" for a test resource)");
        }
        return file.toString();
    }

    private static void runForked(Sandboxed s, ExtensionContext context) throws Throwable {
        SandboxedJvm.Result r = launcher(s, context, true).run(ForkedTest.class.getName(), context.getUniqueId());
        String stdout = r.stdout();
        ForkedTest.Outcome outcome = null;
        int at = stdout.lastIndexOf(ForkedTest.PREFIX);
        if (at >= 0) {
            int end = stdout.indexOf('\n', at);
            outcome = ForkedTest.Outcome.decode(stdout.substring(at + ForkedTest.PREFIX.length(),
                    end < 0 ? stdout.length() : end).strip());
            stdout = stdout.substring(0, at > 0 && stdout.charAt(at - 1) == '\n' ? at - 1 : at)
                    + (end < 0 ? "" : stdout.substring(end + 1));
        }
        System.out.print(stdout);
        System.out.flush();
        System.err.print(r.stderr());
        System.err.flush();
        for (Denial d : r.denials()) {
            context.publishReportEntry("landlock.denial", d.toString());
        }
        if (outcome == null) {
            throw withDenials(new AssertionError("the sandboxed JVM ended with exit status " + r.exitCode()
                    + " before the test finished" + (r.exitCode() == 78 ? " (landlock-agent refused to start: see its"
                    + " line above)" : " (did the test call System.exit?)") + "\n" + String.join(" ", r.command())), r);
        }
        switch (outcome.status()) {
            case "SUCCESSFUL" -> {
                if (!r.denials().isEmpty() && s.failOnDenial()) {
                    throw new AssertionError(describe(r.denials()));
                }
            }
            case "ABORTED" -> throw outcome.error() != null ? outcome.error()
                    : new org.opentest4j.TestAbortedException(outcome.errorText());
            default -> throw withDenials(outcome.error() != null ? outcome.error()
                    : new AssertionError("in the sandboxed JVM:\n" + outcome.errorText()), r);
        }
    }

    private static Throwable withDenials(Throwable t, SandboxedJvm.Result r) {
        if (!r.denials().isEmpty()) {
            t.addSuppressed(new DeniedInSandbox(describe(r.denials())));
        }
        return t;
    }

    static String describe(List<Denial> denials) {
        StringBuilder b = new StringBuilder("landlock-agent denied ").append(denials.size())
                .append(denials.size() == 1 ? " operation" : " operations").append(" in the sandboxed JVM:");
        for (Denial d : denials) {
            b.append("\n  ").append(d);
        }
        return b.toString();
    }

    /** Attached to a failed test's exception: what the confined JVM was denied while it ran. */
    static final class DeniedInSandbox extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DeniedInSandbox(String message) {
            super(message, null, false, false);
        }
    }
}
