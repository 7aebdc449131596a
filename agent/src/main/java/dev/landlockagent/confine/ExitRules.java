package dev.landlockagent.confine;

import dev.landlockagent.explain.ExitControl;
import dev.landlockagent.instrument.ExitInstrumentation;
import dev.landlockagent.policy.Policy.ExitRule;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.jar.JarFile;

/**
 * Puts the policy's {@code "exit"} rule in place in the JVM that runs {@code main}, on either path:
 * the rule travels in the marker. A rule that cannot be put in place stops the JVM (exit 78), as
 * any other the agent cannot enforce.
 */
final class ExitRules {
    private ExitRules() {
    }

    static void install(Instrumentation inst, Marker marker) throws StartupFailure {
        ExitRule rule = marker.exit();
        if (!rule.controlled()) {
            return;
        }
        try {
            ExitInstrumentation.install(inst, new ExitControl(rule, marker.report().origin(), MainClass.INSTANCE));
        } catch (ExitInstrumentation.Failure e) {
            throw new StartupFailure("policy " + marker.report().origin() + " controls \"exit\", but " + e.getMessage()
                    + "; remove \"exit\" from the policy, or run the agent from its own jar with -javaagent", e);
        }
        Timing.mark("exit rule");
    }

    /**
     * The class the JVM started: the jar's Main-Class with {@code -jar}, the class after the module
     * with {@code -m}, else the first word of the command. Read at the first exit, not at start.
     */
    static final class MainClass implements Supplier<String> {
        static final MainClass INSTANCE = new MainClass();

        @Override
        public String get() {
            String command = System.getProperty("sun.java.command", "").strip();
            int space = command.indexOf(' ');
            String first = space < 0 ? command : command.substring(0, space);
            Path jar = ThisJvm.mainJar();
            if (jar != null) {
                try (JarFile f = new JarFile(jar.toFile())) {
                    return f.getManifest() == null ? null : f.getManifest().getMainAttributes().getValue("Main-Class");
                } catch (IOException | RuntimeException e) {
                    return null;
                }
            }
            int slash = first.indexOf('/');
            String name = slash < 0 ? first : first.substring(slash + 1);
            return name.isEmpty() || name.endsWith(".java") ? null : name;
        }
    }
}
