package dev.landlockagent.confine;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;

/**
 * FFM downcalls are restricted methods (JEP 472): without native access, the first one prints a
 * warning. {@code Enable-Native-Access} is ignored for agents, and unnamed modules share one flag,
 * so the agent turns that flag on for the few calls it makes and, on the paths where the
 * application then runs in this JVM, turns it off again: the application's own FFM calls warn as
 * they would without the agent. On the re-exec path nothing of this JVM survives the execve.
 * Needs {@code java.lang} opened to the agent (the launch trampoline does that).
 */
final class NativeAccess implements Runnable, AutoCloseable {
    private volatile boolean granted;

    /**
     * Grants native access to unnamed modules unless they already have it
     * (--enable-native-access=ALL-UNNAMED). Runs on the thread that then links FFM.
     */
    @Override
    public void run() {
        if (NativeAccess.class.getModule().isNativeAccessEnabled()) {
            return;
        }
        try {
            Method m = Module.class.getDeclaredMethod("implAddEnableNativeAccessToAllUnnamed");
            m.setAccessible(true);
            m.invoke(null);
            granted = true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Linking still works; the JVM prints its JEP 472 warning instead.
        }
    }

    /**
     * Takes back what {@link #run()} gave. {@code Module}'s fields are hidden from core
     * reflection (the JDK's reflection filter), so this goes through a private lookup.
     */
    @Override
    public void close() throws ReflectiveOperationException {
        if (!granted) {
            return;
        }
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Module.class, MethodHandles.lookup());
        Module allUnnamed = (Module) lookup.findStaticVarHandle(Module.class, "ALL_UNNAMED_MODULE", Module.class).get();
        lookup.findVarHandle(Module.class, "enableNativeAccess", boolean.class).setVolatile(allUnnamed, false);
        granted = false;
    }
}
