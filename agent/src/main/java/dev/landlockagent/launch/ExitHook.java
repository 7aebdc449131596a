package dev.landlockagent.launch;

import java.util.function.BiFunction;

/**
 * Where the JDK's {@code Runtime.exit} and {@code Runtime.halt}, woven by the agent when the
 * policy controls {@code "exit"}, ask whether their caller may end the JVM. Like {@link DenialHook}
 * it sits at the jar's root, where the system class loader finds it.
 *
 * <p>The handler is set once, before {@code main}, into a {@code static final} field of a holder
 * class that initialises during {@link #install}: {@code Field.set} refuses static finals, so the
 * application cannot swap it by reflection. (A Java-level rule all the same: docs/policy.md says
 * what passes it.)
 */
public final class ExitHook {
    private static BiFunction<String, Object[], Throwable> pending;

    private ExitHook() {
    }

    private static final class Installed {
        static final BiFunction<String, Object[], Throwable> HANDLER = take();
    }

    private static synchronized BiFunction<String, Object[], Throwable> take() {
        BiFunction<String, Object[], Throwable> h = pending;
        pending = null;
        return h;
    }

    /**
     * The handler: {@code apply(operation, {status, null})} returns the exception to throw instead
     * of ending the JVM, or null to let it end. Never null once installed.
     */
    public static BiFunction<String, Object[], Throwable> handler() {
        return Installed.HANDLER;
    }

    /** Installs the handler; false when one was installed before, or the holder was read first. */
    public static boolean install(BiFunction<String, Object[], Throwable> h) {
        synchronized (ExitHook.class) {
            if (h == null || pending != null) {
                return false;
            }
            pending = h;
        }
        return Installed.HANDLER == h;
    }
}
