package dev.landlockagent.confine;

import java.lang.reflect.Field;
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

    /** Takes back what {@link #run()} gave. */
    @Override
    public void close() throws ReflectiveOperationException {
        if (!granted) {
            return;
        }
        Field all = Module.class.getDeclaredField("ALL_UNNAMED_MODULE");
        all.setAccessible(true);
        Field flag = Module.class.getDeclaredField("enableNativeAccess");
        flag.setAccessible(true);
        flag.setBoolean(all.get(null), false);
    }
}
