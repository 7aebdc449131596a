package dev.landlockagent.confine;

import dev.landlockagent.linux.LinuxSyscalls;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.concurrent.CountDownLatch;

/**
 * FFM downcalls are restricted methods (JEP 472): without native access, the first one prints a
 * warning. {@code Enable-Native-Access} is ignored for agents, and unnamed modules share one flag,
 * so the agent turns that flag on for the few calls it makes and, on the paths where the
 * application then runs in this JVM, turns it off again: the application's own FFM calls warn as
 * they would without the agent. On the re-exec path nothing of this JVM survives the execve.
 * Needs {@code java.lang} opened to the agent (Startup does that, see {@link #javaLangOpened()}).
 */
final class NativeAccess implements Runnable, AutoCloseable {
    private final CountDownLatch javaLangOpen = new CountDownLatch(1);
    private volatile boolean granted;

    /**
     * Starts the FFM link on its own thread, with native access granted for it, and opens
     * java.lang (for that grant) on this one meanwhile: the link is the longest step of a start.
     */
    LinuxSyscalls.Linking startLink(java.lang.instrument.Instrumentation inst) {
        LinuxSyscalls.Linking linking = LinuxSyscalls.Linking.start(this);
        try {
            Startup.openJavaLang(inst);
        } finally {
            javaLangOpened();
        }
        return linking;
    }

    /** Called once java.lang is open to the agent (or will not be): {@link #run()} may go on. */
    void javaLangOpened() {
        javaLangOpen.countDown();
    }

    /**
     * Grants native access to unnamed modules unless they already have it
     * (--enable-native-access=ALL-UNNAMED). Runs on the thread that links FFM, just before the
     * downcall handle is made, and first waits for {@link #javaLangOpened()}: the starting thread
     * opens java.lang while the linking thread loads the linker.
     */
    @Override
    public void run() {
        boolean interrupted = false;
        while (javaLangOpen.getCount() > 0) {
            try {
                javaLangOpen.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
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
