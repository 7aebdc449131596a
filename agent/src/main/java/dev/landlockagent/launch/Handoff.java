package dev.landlockagent.launch;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;

/**
 * What the trampoline ({@link AgentEntry}) hands to the agent's core: the agent argument, the
 * JVM's Instrumentation, where the agent jar is, and when the agent started. The core's class
 * loader ({@link CoreClassLoader}) resolves this one class of the jar's root to the trampoline's
 * own, so both sides name the same type.
 */
public final class Handoff {
    private final String agentArgument;
    private final Instrumentation instrumentation;
    private final Path agentJar;
    private final long startNanos;

    Handoff(String agentArgument, Instrumentation instrumentation, Path agentJar, long startNanos) {
        this.agentArgument = agentArgument;
        this.instrumentation = instrumentation;
        this.agentJar = agentJar;
        this.startNanos = startNanos;
    }

    /** The text after {@code =} in {@code -javaagent:jar=...}; null without one. */
    public String agentArgument() {
        return agentArgument;
    }

    public Instrumentation instrumentation() {
        return instrumentation;
    }

    /** The agent jar, as the JVM loaded it. */
    public Path agentJar() {
        return agentJar;
    }

    /** {@link System#nanoTime()} when {@code premain} was entered, for {@code -Dlandlock.timing=true}. */
    public long startNanos() {
        return startNanos;
    }
}
