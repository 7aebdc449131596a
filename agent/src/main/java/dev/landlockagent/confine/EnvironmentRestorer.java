package dev.landlockagent.confine;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Puts {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS} back into the re-executed JVM's
 * environment as Java sees it ({@code System.getenv}, {@code ProcessBuilder}), so that child
 * processes inherit them as they would have. They were moved to the command line so that the JVM
 * does not print "Picked up ..." twice. Needs {@code java.lang} opened to this module.
 */
final class EnvironmentRestorer {
    private EnvironmentRestorer() {
    }

    @SuppressWarnings("unchecked")
    static void restore(Map<String, String> variables) throws ReflectiveOperationException {
        if (variables.isEmpty()) {
            return;
        }
        Class<?> pe = Class.forName("java.lang.ProcessEnvironment");
        Class<?> variable = Class.forName("java.lang.ProcessEnvironment$Variable");
        Class<?> value = Class.forName("java.lang.ProcessEnvironment$Value");
        Method variableOf = variable.getDeclaredMethod("valueOf", String.class);
        Method valueOf = value.getDeclaredMethod("valueOf", String.class);
        variableOf.setAccessible(true);
        valueOf.setAccessible(true);
        Field theEnvironment = pe.getDeclaredField("theEnvironment");
        theEnvironment.setAccessible(true);
        Map<Object, Object> env = (Map<Object, Object>) theEnvironment.get(null);
        for (Map.Entry<String, String> e : variables.entrySet()) {
            env.put(variableOf.invoke(null, e.getKey()), valueOf.invoke(null, e.getValue()));
        }
    }
}
