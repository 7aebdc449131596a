package dev.landlockagent.launch;

import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The agent's entry point ({@code Premain-Class}, and {@code Launcher-Agent-Class} of executable
 * jars that bundle the agent). It does almost nothing: it checks the JDK, creates the class loader
 * of the agent's core ({@link CoreClassLoader}) and hands over to
 * {@code dev.landlockagent.confine.Startup}. This package is compiled for Java 11 so that an old
 * JVM gets a clear message instead of a class-version error.
 *
 * <p>It does not use reflection to reach the core (a first {@code Method.invoke} or
 * {@code Constructor.newInstance} spins method handles, ~30 ms): the core's entry class, a
 * {@link java.util.function.Consumer} of a {@link Handoff}, hands an instance of itself to {@link CoreClassLoader}.
 * And the build marks {@code premain} and {@code agentmain} varargs
 * (agent/src/build/EntryPointFlags.java), so that the JDK's own reflective call of them spins no
 * method handles either. javac then refuses to compile code that names this class; nothing needs to.
 */
public final class AgentEntry {
    private static final int REQUIRED_FEATURE = 25;
    private static final int EXIT_CONFIG = 78;
    private static final String STARTUP = "dev.landlockagent.confine.Startup";

    private AgentEntry() {
    }

    public static void premain(String argument, Instrumentation inst) {
        launch(argument, inst);
    }

    /** Called before {@code main} when an executable jar names this class as Launcher-Agent-Class. */
    public static void agentmain(String argument, Instrumentation inst) {
        launch(argument, inst);
    }

    private static void launch(String argument, Instrumentation inst) {
        long start = System.nanoTime();
        // The property, not Runtime.version(): as cheap on JDK 25 (docs/start-up-path.md), and the
        // same on every JVM this refuses.
        int feature = feature(System.getProperty("java.specification.version", "0"));
        if (feature < REQUIRED_FEATURE) {
            fail("this JVM is Java " + feature + "; landlock-agent needs JDK " + REQUIRED_FEATURE
                    + " or later (FFM). Run it with a JDK 25 java launcher");
            return;
        }
        Path jar;
        try {
            jar = Path.of(AgentEntry.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            fail("cannot locate the agent jar: " + e);
            return;
        }
        try {
            CoreClassLoader core = new CoreClassLoader(jar);
            Object entry = core.initialise(STARTUP);
            if (!(entry instanceof Consumer)) {
                fail("the agent jar " + jar + " is damaged or incomplete: " + STARTUP + " did not hand over its entry point");
                return;
            }
            @SuppressWarnings("unchecked")
            Consumer<Handoff> startup = (Consumer<Handoff>) entry;
            startup.accept(new Handoff(argument, inst, jar, start));
        } catch (Throwable t) {
            fail("the agent jar " + jar + " cannot be loaded (damaged or incomplete?): " + t);
        }
    }

    private static int feature(String specificationVersion) {
        int dot = specificationVersion.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? specificationVersion : specificationVersion.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void fail(String message) {
        System.err.println("landlock-agent: refusing to start: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(EXIT_CONFIG);
    }
}
