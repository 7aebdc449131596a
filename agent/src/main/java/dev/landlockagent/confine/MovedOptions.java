package dev.landlockagent.confine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The option variables the re-exec moves from the environment to the command line (so that the
 * new JVM does not print "Picked up ..." a second time), for the re-executed JVM to restore.
 *
 * @param javaToolOptions JAVA_TOOL_OPTIONS' value, or null
 * @param jdkJavaOptions  JDK_JAVA_OPTIONS' value, or null
 */
record MovedOptions(String javaToolOptions, String jdkJavaOptions) {
    static final MovedOptions NONE = new MovedOptions(null, null);

    /** The variables to put back, by name. */
    Map<String, String> variables() {
        Map<String, String> env = new LinkedHashMap<>();
        if (javaToolOptions != null) {
            env.put(LaunchEnvironment.JAVA_TOOL_OPTIONS, javaToolOptions);
        }
        if (jdkJavaOptions != null) {
            env.put(LaunchEnvironment.JDK_JAVA_OPTIONS, jdkJavaOptions);
        }
        return env;
    }
}
