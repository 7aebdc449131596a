package dev.landlockagent.launch;

import java.util.function.BiFunction;

/**
 * Where instrumented JDK code finds the agent's denial explainer. It sits at the root of the agent
 * jar, so the system class loader sees it; the code woven into java.base (the agent's
 * instrument.Weaver) looks it up by name through that loader and calls it through
 * {@link BiFunction}, a java.base type. So nothing is
 * appended to the boot class path (which would print HotSpot's "Sharing is only supported for boot
 * loader classes" warning and turn off CDS for application classes).
 *
 * <p>The handler is set once. An application that clears it by reflection only loses the
 * explanations: confinement is the kernel's.
 */
public final class DenialHook {
    private static volatile BiFunction<String, Object[], Throwable> handler;

    private DenialHook() {
    }

    /** The handler: {@code apply(operation, {arguments..., thrown})} returns the exception to throw instead, or null. */
    public static BiFunction<String, Object[], Throwable> handler() {
        return handler;
    }

    /** Installs the handler; false if one is already installed. */
    public static synchronized boolean install(BiFunction<String, Object[], Throwable> h) {
        if (handler != null || h == null) {
            return false;
        }
        handler = h;
        return true;
    }
}
