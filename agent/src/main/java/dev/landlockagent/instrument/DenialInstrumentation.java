package dev.landlockagent.instrument;

import dev.landlockagent.log.Logs;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Instruments the JDK's socket and file funnels ({@link Target#ALL}) so that a denied operation
 * throws an explained exception.
 *
 * <p>The weaving ({@link Weaver}) uses Byte Buddy's ASM alone, a few dozen classes to load, and
 * runs on a daemon thread from start-up ("warm-up") so that it never delays {@code main}. It first
 * weaves and retransforms the targets loaded before the agent ran (the file streams), then weaves
 * the rest from the runtime image's class files; a thread that loads one of those meanwhile waits
 * for its bytes. An application that never opens a socket never waits. Until the warm-up has
 * retransformed the file streams (about 0.1 s after the JVM starts), a denied open through them
 * keeps the JDK's plain message.
 */
public final class DenialInstrumentation implements ClassFileTransformer {
    private static final long MAX_WAIT_SECONDS = 30;

    private final Instrumentation inst;
    private final Map<String, Target> targets = Target.byName();
    private final Map<String, byte[][]> woven = new ConcurrentHashMap<>();
    private final Set<String> installed = ConcurrentHashMap.newKeySet();
    /** One latch per target, opened when its bytes are woven (or given up on). */
    private final Map<String, CountDownLatch> ready = new ConcurrentHashMap<>();
    /** It must not wait for itself. */
    private volatile Thread warmUpThread;
    private volatile Weaver weaver;

    private DenialInstrumentation(Instrumentation inst) {
        this.inst = inst;
        for (Target t : Target.ALL) {
            ready.put(t.internalName(), new CountDownLatch(1));
        }
    }

    /**
     * Starts instrumenting: registers the class-file transformer, and starts the warm-up thread,
     * which first makes the explainer and installs it where instrumented code finds it (off the
     * main thread: ~10 ms of class loading and a method handle), then weaves. No woven code runs
     * before that: a class gets its woven bytes only after the warm-up has installed the hook.
     */
    public static DenialInstrumentation install(Instrumentation inst,
                                                Supplier<BiFunction<String, Object[], Throwable>> explainer) {
        DenialInstrumentation di = new DenialInstrumentation(inst);
        // Without Can-Retransform-Classes (an executable jar's manifest may lack it), classes loaded
        // later are still instrumented; the file streams, loaded before the agent, are not.
        inst.addTransformer(di, inst.isRetransformClassesSupported());
        Thread t = new Thread(new Runnable() { // not a lambda: no invokedynamic bootstrap at start-up
            @Override
            public void run() {
                di.warmUp(explainer);
            }
        }, "landlock-agent-instrumentation");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        di.warmUpThread = t;
        t.start();
        return di;
    }

    /**
     * Installs the explainer in DenialHook, loaded by the system class loader like the woven code's
     * lookup; false when a hook is there already (the agent's jar loaded twice): that copy has
     * woven the JDK, and weaving it again would explain each denial twice.
     */
    private static boolean installHook(BiFunction<String, Object[], Throwable> explainer) throws Throwable {
        Class<?> hook = Class.forName(Weaver.HOOK, true, ClassLoader.getSystemClassLoader());
        // invokeExact on a method handle, not Method.invoke, whose first use spins method handles (~20 ms)
        MethodHandle install = MethodHandles.publicLookup().findStatic(hook, "install",
                MethodType.methodType(boolean.class, BiFunction.class));
        return (boolean) install.invokeExact(explainer);
    }

    private void warmUp(Supplier<BiFunction<String, Object[], Throwable>> explainer) {
        long start = System.nanoTime();
        boolean timing = Boolean.getBoolean("landlock.timing");
        try {
            if (!installHook(explainer.get())) {
                Logs.agent().debug("denials are explained by the copy of the agent that installed its hook first");
                openAllLatches();
                return;
            }
        } catch (Throwable e) {
            // Nothing is woven (every latch opens with no bytes): the JDK's plain messages remain.
            Logs.agent().warn("denials will not be explained: cannot install the denial hook ({})", e.toString());
            openAllLatches();
            return;
        }
        weaver = new Weaver();
        try {
            // First the targets loaded before the agent (the file streams): no class-load hook can
            // hold a thread back for them, so until they are retransformed their denials go
            // unexplained. Then the rest, socket funnels first, which hold back a thread that loads them.
            List<Class<?>> loaded = loadedTargets();
            for (Class<?> c : loaded) {
                weave(targets.get(c.getName().replace('.', '/')), start, timing);
            }
            retransform(loaded);
            for (Target t : Target.ALL) {
                if (ready.get(t.internalName()).getCount() > 0) {
                    weave(t, start, timing);
                }
            }
        } finally {
            openAllLatches();
        }
        retransform(loadedTargets()); // any loaded by this thread while it wove
    }

    /** Lets every waiting thread go on, with whatever has been woven by then. */
    private void openAllLatches() {
        for (CountDownLatch l : ready.values()) {
            l.countDown();
        }
    }

    /** Weaves one target from the runtime image's class file and opens its latch. */
    private void weave(Target t, long start, boolean timing) {
        try {
            byte[] original = original(t);
            if (original != null) { // null: the module is not in this runtime (jdk.sctp in a jlink image)
                woven.put(t.internalName(), new byte[][] {original, weaver.weave(t, original)});
            }
        } catch (RuntimeException | Error e) {
            // this JDK's class lacks a method the weaver expects: leave it alone
        } finally {
            ready.get(t.internalName()).countDown();
            if (timing) {
                System.err.println("[landlock-agent] timing (instrumentation): " + t.className() + " woven after "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
            }
        }
    }

    private static byte[] original(Target t) {
        if (t.library()) {
            return null; // woven when the application loads it, from the bytes its loader found
        }
        Optional<Module> module = ModuleLayer.boot().findModule(t.module());
        if (module.isEmpty()) {
            return null;
        }
        try (InputStream in = module.get().getResourceAsStream(t.internalName() + ".class")) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    /** Target classes loaded and not instrumented yet. */
    private List<Class<?>> loadedTargets() {
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            String name = c.getName().replace('.', '/');
            if (targets.containsKey(name) && !installed.contains(name) && inst.isModifiableClass(c)) {
                loaded.add(c);
            }
        }
        return loaded;
    }

    private void retransform(List<Class<?>> classes) {
        if (classes.isEmpty() || !inst.isRetransformClassesSupported()) {
            return;
        }
        try {
            inst.retransformClasses(classes.toArray(new Class<?>[0]));
        } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
            // explanations are missing for these classes; confinement is unaffected
        }
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        Target target = className == null ? null : targets.get(className);
        if (target == null) {
            return null;
        }
        CountDownLatch latch = ready.get(className);
        if (Thread.currentThread() == warmUpThread && latch.getCount() > 0) {
            return null; // loaded by the weaving itself: retransformed when the warm-up ends
        }
        try {
            if (!latch.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        try {
            byte[][] pair = woven.get(className);
            byte[] result;
            if (pair != null && Arrays.equals(pair[0], bytes)) {
                result = pair[1];
            } else if (weaver != null) {
                result = weaver.weave(target, bytes); // another agent changed the class first
            } else {
                return null;
            }
            installed.add(className);
            return result;
        } catch (RuntimeException | Error e) {
            return null;
        }
    }
}
