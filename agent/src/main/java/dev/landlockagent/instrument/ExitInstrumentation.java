package dev.landlockagent.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.ProtectionDomain;
import java.util.function.BiFunction;

/**
 * Weaves {@link Target#RUNTIME} so that {@code System.exit}, {@code Runtime.exit} and
 * {@code Runtime.halt} ask the policy's {@code "exit"} rule first. Unlike the denial
 * instrumentation it runs before {@code main}, on the thread that calls it: a rule must hold from
 * the first line of the application, and it costs only when the policy controls exit (the
 * weaver's classes and one retransformation, docs/performance.md). The transformer stays
 * registered, so that another agent's retransformation of {@code Runtime} keeps the check.
 */
public final class ExitInstrumentation implements ClassFileTransformer {
    private volatile boolean woven;

    private ExitInstrumentation() {
    }

    /** Thrown when the rule cannot be put in place; the caller fails closed. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Installs {@code control} where the woven code finds it, then weaves {@code Runtime}. */
    public static void install(Instrumentation inst, BiFunction<String, Object[], Throwable> control) throws Failure {
        if (!inst.isRetransformClassesSupported()) {
            throw new Failure("the agent's jar does not allow retransforming classes (its manifest lacks"
                    + " Can-Retransform-Classes: true)", null);
        }
        try {
            Class<?> hook = Class.forName(Weaver.EXIT_HOOK, true, ClassLoader.getSystemClassLoader());
            MethodHandle install = MethodHandles.publicLookup().findStatic(hook, "install",
                    MethodType.methodType(boolean.class, BiFunction.class));
            if (!(boolean) install.invokeExact(control)) {
                throw new Failure("another copy of the agent in this JVM controls exit already", null);
            }
        } catch (Failure e) {
            throw e;
        } catch (Throwable e) {
            throw new Failure("cannot install the exit hook: " + e, e);
        }
        ExitInstrumentation t = new ExitInstrumentation();
        inst.addTransformer(t, true);
        try {
            inst.retransformClasses(Runtime.class);
        } catch (Exception | LinkageError e) {
            throw new Failure("cannot retransform java.lang.Runtime: " + e, e);
        }
        if (!t.woven) {
            throw new Failure("java.lang.Runtime of this JDK lacks exit(int) or halt(int)", null);
        }
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        if (!Target.RUNTIME.internalName().equals(className)) {
            return null;
        }
        try {
            byte[] result = new Weaver().weave(Target.RUNTIME, bytes);
            woven = true;
            return result;
        } catch (RuntimeException | Error e) {
            return null;
        }
    }
}
