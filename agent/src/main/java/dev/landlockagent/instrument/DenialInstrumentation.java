package dev.landlockagent.instrument;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
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

/**
 * Instruments the JDK's socket and file funnels ({@link Target#ALL}) so that a denied operation
 * throws an explained exception.
 *
 * <p>Cost: Byte Buddy's first weave loads ~500 classes (~250 ms on a cold JVM, measured). So it
 * runs on a daemon thread from start-up ("warm-up"), which weaves every target from the runtime
 * image's class files. A target class loaded meanwhile waits for the warm-up (its thread would
 * otherwise pay the same cost); classes that were loaded before the agent ran (the file streams)
 * are retransformed when the warm-up ends. An application that never opens a socket never waits.
 */
public final class DenialInstrumentation implements ClassFileTransformer {
    /** Property Byte Buddy (relocated) reads to stay away from sun.misc.Unsafe (JEP 498 warnings). */
    static final String BYTE_BUDDY_SAFE = "net.bytebuddy.safe";
    private static final long MAX_WAIT_SECONDS = 30;

    private final Instrumentation inst;
    private final Map<String, Target> targets = Target.byName();
    private final Map<String, byte[][]> woven = new ConcurrentHashMap<>();
    private final Set<String> installed = ConcurrentHashMap.newKeySet();
    /** One latch per target, opened when its bytes are woven (or given up on): Net first. */
    private final Map<String, CountDownLatch> ready = new ConcurrentHashMap<>();
    private final CountDownLatch warm = new CountDownLatch(1);
    private volatile Thread warmUpThread;
    private volatile Weaver weaver;

    private DenialInstrumentation(Instrumentation inst) {
        this.inst = inst;
        for (Target t : Target.ALL) {
            ready.put(t.internalName(), new CountDownLatch(1));
        }
    }

    /** Installs {@code explainer} where instrumented code finds it, and starts instrumenting. */
    public static DenialInstrumentation install(Instrumentation inst, BiFunction<String, Object[], Throwable> explainer)
            throws ReflectiveOperationException {
        Class<?> hook = Class.forName("dev.landlockagent.bootstrap.DenialHook", true, ClassLoader.getSystemClassLoader());
        hook.getMethod("install", BiFunction.class).invoke(null, explainer);
        DenialInstrumentation di = new DenialInstrumentation(inst);
        // Without Can-Retransform-Classes (an executable jar's manifest may lack it), classes loaded
        // later are still instrumented; the file streams, loaded before the agent, are not.
        inst.addTransformer(di, inst.isRetransformClassesSupported());
        Thread t = new Thread(new Runnable() { // not a lambda: no invokedynamic bootstrap at start-up
            @Override
            public void run() {
                di.warmUp();
            }
        }, "landlock-agent-instrumentation");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        di.warmUpThread = t;
        t.start();
        return di;
    }

    /** Waits until every target is instrumented (for tests and benchmarks). */
    public boolean awaitInstrumented(long seconds) throws InterruptedException {
        return warm.await(seconds, TimeUnit.SECONDS);
    }

    private void warmUp() {
        long start = System.nanoTime();
        boolean timing = Boolean.getBoolean("landlock.timing");
        try {
            System.setProperty(BYTE_BUDDY_SAFE, "true");
            Weaver w = new Weaver();
            weaver = w;
            for (Target t : Target.ALL) { // Target.ALL lists the socket funnels first
                try {
                    byte[] original = original(t);
                    if (original != null) { // null: the module is not in this runtime (jdk.sctp in a jlink image)
                        woven.put(t.internalName(), new byte[][] {original, w.weave(t, original)});
                    }
                } catch (RuntimeException | Error e) {
                    // this JDK's class differs from what the advice expects: leave it alone
                } finally {
                    ready.get(t.internalName()).countDown();
                    if (timing) {
                        System.err.println("[landlock-agent] timing (instrumentation): " + t.className() + " woven after "
                                + (System.nanoTime() - start) / 1_000_000 + " ms");
                    }
                }
            }
        } finally {
            for (CountDownLatch l : ready.values()) {
                l.countDown();
            }
            warm.countDown();
        }
        retransformLoadedTargets();
    }

    private static byte[] original(Target t) {
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

    private void retransformLoadedTargets() {
        if (!inst.isRetransformClassesSupported()) {
            return;
        }
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            String name = c.getName().replace('.', '/');
            if (targets.containsKey(name) && !installed.contains(name) && inst.isModifiableClass(c)) {
                loaded.add(c);
            }
        }
        if (!loaded.isEmpty()) {
            try {
                inst.retransformClasses(loaded.toArray(new Class<?>[0]));
            } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
                // explanations are missing for these classes; confinement is unaffected
            }
        }
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        Target target = className == null ? null : targets.get(className);
        if (target == null) {
            return null;
        }
        if (Thread.currentThread() == warmUpThread && warm.getCount() > 0) {
            return null; // loaded by the warm-up itself: retransformed when it ends
        }
        try {
            if (!ready.get(className).await(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
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
