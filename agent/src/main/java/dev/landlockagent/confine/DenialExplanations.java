package dev.landlockagent.confine;

import dev.landlockagent.explain.DenialExplainer;
import dev.landlockagent.explain.ExplainContext;
import dev.landlockagent.instrument.DenialInstrumentation;
import dev.landlockagent.log.Logs;

import java.lang.instrument.Instrumentation;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/** Turns on the explanation of denials in a confined JVM, unless {@code -Dlandlock.explain=false}. */
final class DenialExplanations {
    /** {@code false} turns off the instrumentation that explains denials. */
    static final String PROPERTY = "landlock.explain";

    private DenialExplanations() {
    }

    /** Instruments the JDK; {@code context} is asked for the plan at the first denial. */
    static void install(Instrumentation inst, Supplier<ExplainContext> context) {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return;
        }
        try {
            DenialInstrumentation.install(inst, new Explainer(context));
        } catch (RuntimeException | LinkageError e) {
            Logs.agent().warn("denials will not be explained: cannot instrument the JDK ({})", e.toString());
        }
    }

    /** Makes the explainer on the instrumentation's own thread, when it starts. */
    private static final class Explainer implements Supplier<BiFunction<String, Object[], Throwable>> {
        private final Supplier<ExplainContext> context;

        Explainer(Supplier<ExplainContext> context) {
            this.context = context;
        }

        @Override
        public BiFunction<String, Object[], Throwable> get() {
            return new DenialExplainer(context);
        }
    }

    /** The plan this JVM applied itself. */
    static final class Fixed implements Supplier<ExplainContext> {
        private final ExplainContext context;

        Fixed(ExplainContext context) {
            this.context = context;
        }

        @Override
        public ExplainContext get() {
            return context;
        }
    }
}
