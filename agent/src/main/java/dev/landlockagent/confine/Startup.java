package dev.landlockagent.confine;

import dev.landlockagent.launch.Handoff;
import dev.landlockagent.learn.LearnArgument;
import dev.landlockagent.log.Logs;
import dev.landlockagent.policy.PolicyException;
import dev.landlockagent.policy.PolicySource;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The agent's start: a JVM whose marker checks out was born inside the domain
 * ({@link ReExecutedJvm}); any other is the first JVM of its process, which confines itself
 * ({@link FirstJvm}). Any failure ends the JVM with one message and exit status 78
 * ({@link FailClosed}); there is no path that returns with the JVM unconfined, except
 * best-effort's documented "main thread only".
 */
public final class Startup implements Consumer<Handoff> {
    /** Prints a stack trace with a fail-closed message. */
    public static final String DEBUG_PROPERTY = "landlock.debug";
    private static final int MAX_GENERATIONS = 3;

    static {
        // Hand the launch trampoline, which cannot name this class, its entry point through the
        // class loader it created (launch.CoreClassLoader, a Consumer): no reflection at start-up.
        if (Startup.class.getClassLoader() instanceof Consumer<?> loader) {
            @SuppressWarnings("unchecked")
            Consumer<Object> handOver = (Consumer<Object>) loader;
            handOver.accept(new Startup());
        }
    }

    private Startup() {
    }

    /** From the launch trampoline. Never throws; returns only with the JVM confined. */
    @Override
    public void accept(Handoff handoff) {
        Timing.start(handoff.startNanos());
        Timing.mark("load agent core");
        try {
            start(handoff.agentArgument(), handoff.instrumentation(), handoff.agentJar());
        } catch (StartupFailure | PolicyException | PolicySource.NotFound e) {
            debugTrace(e);
            FailClosed.exit(e.getMessage());
        } catch (Throwable t) {
            debugTrace(t);
            FailClosed.exit("internal error in landlock-agent: " + t
                    + " (run with -D" + DEBUG_PROPERTY + "=true for the stack trace, and report it)");
        }
    }

    private static void start(String agentArgument, Instrumentation inst, Path agentJar) throws Exception {
        String markerValue = System.getProperty(Marker.PROPERTY);
        if (markerValue != null && MarkerPipe.isReference(markerValue)) {
            // The re-exec's reference to the pipe that holds the marker. What it held stays in this
            // JVM's properties for a second copy of the agent (a jar's Launcher-Agent-Class), as on
            // the TSYNC path; "" when it held nothing (a copied reference): malformed, confine again.
            String taken = MarkerPipe.take(markerValue);
            markerValue = taken == null ? "" : taken;
            System.setProperty(Marker.PROPERTY, markerValue);
        }
        LearnArgument learn = learnArgument(agentArgument);
        if (learn != null && learn.mode() == LearnArgument.Mode.LEARN) {
            if (markerValue == null && LearnStart.learn(learn, inst, agentJar)) {
                return;
            }
            agentArgument = learn.policy().toString(); // forbidden by the policy, in best-effort: confined by it
        } else if (learn != null) {
            if (markerValue == null) {
                // Made before confinement, so that the baseline can grant writing them (ThisJvm.diagnostics).
                java.nio.file.Files.writeString(learn.suggestions(), "");
                java.nio.file.Files.writeString(learn.suggestionsReport(), "");
            }
            dev.landlockagent.explain.Suggestions.enable(learn.suggestions(), learn.suggestionsReport());
            agentArgument = learn.policy().toString();
        }
        if (markerValue == null && learn == null && dev.landlockagent.learn.LearnRun.recordsThisJvm(ThisJvm.pid())) {
            // A copy bundled in the application's jar, after the -javaagent that started a learn run.
            System.err.println("landlock-agent: LEARN RUN: the agent bundled in " + agentJar
                    + " does not confine this JVM while it is recorded");
            System.err.flush();
            return;
        }
        if (markerValue == null) {
            new FirstJvm(agentArgument, inst, agentJar, 0, null).confine();
            return;
        }
        Marker marker = Marker.decode(markerValue);
        long pid = ThisJvm.pid();
        String rejected = marker == null ? "it is malformed" : Verification.reject(marker.proof(), pid, agentJar);
        Timing.mark("verify marker");
        if (rejected == null) {
            new ReExecutedJvm(agentArgument, inst, agentJar, marker).run();
            return;
        }
        int generation = marker == null ? 1 : marker.proof().generation() + 1;
        if (marker != null && marker.proof().pid() == pid && generation >= MAX_GENERATIONS) {
            throw new StartupFailure("the re-executed JVM could not confirm that it runs inside the Landlock domain ("
                    + rejected + ")");
        }
        System.clearProperty(Marker.PROPERTY);
        if (isDebug()) {
            Logs.agent().debug("ignoring " + Marker.PROPERTY + ": " + rejected + "; confining this JVM");
        }
        new FirstJvm(agentArgument, inst, agentJar, generation, rejected).confine();
    }

    private static LearnArgument learnArgument(String agentArgument) throws StartupFailure {
        try {
            return LearnArgument.parse(agentArgument, Path.of(System.getProperty("user.dir")));
        } catch (IllegalArgumentException e) {
            throw new StartupFailure("agent argument " + agentArgument + ": " + e.getMessage());
        }
    }

    private static void debugTrace(Throwable t) {
        if (Boolean.getBoolean(DEBUG_PROPERTY)) {
            t.printStackTrace();
        }
    }

    /**
     * Opens {@code java.lang} to the agent's own class loader (not to the application's): to turn
     * native access on and off ({@link NativeAccess}) and to restore the environment
     * ({@link EnvironmentRestorer}). Only when needed: it costs ~13 ms on a cold JVM.
     */
    static void openJavaLang(Instrumentation inst) {
        Module self = Startup.class.getModule();
        if (!Object.class.getModule().isOpen("java.lang", self)) {
            inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(), Map.of("java.lang", Set.of(self)),
                    Set.of(), Map.of());
        }
    }

    static boolean isDebug() {
        String level = System.getProperty("landlock.log", "");
        return level.equalsIgnoreCase("debug") || level.equalsIgnoreCase("trace");
    }
}
