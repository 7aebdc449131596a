package dev.landlockagent.confine;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the first JVM tells the JVM it re-executes, as the system property {@value #PROPERTY}.
 * The marker alone proves nothing: {@link Verification} checks that the process really is the one
 * that was confined (same PID, no_new_privs, and the seccomp canary at {@link #canaryOffset}).
 *
 * @param pid            the process that confined itself (execve keeps the PID)
 * @param canaryOffset   the pread64 offset the seccomp filter answers with an error
 * @param generation     how many times this process has re-executed, to stop a loop
 * @param abi            the Landlock ABI the first JVM found
 * @param mechanism      how the process was confined
 * @param javaToolOptions the JAVA_TOOL_OPTIONS value moved to the command line, to restore; may be null
 * @param jdkJavaOptions the JDK_JAVA_OPTIONS value moved to the command line, to restore; may be null
 * @param summary        the INFO line's body
 * @param warnings       best-effort warnings to log once
 */
public record Marker(long pid, long canaryOffset, int generation, int abi, String mechanism,
                     String javaToolOptions, String jdkJavaOptions, String summary, List<String> warnings) {
    public static final String PROPERTY = "landlock.agent.exec";
    private static final String VERSION = "1";

    public String encode() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("v", VERSION);
        m.put("pid", Long.toString(pid));
        m.put("canary", Long.toHexString(canaryOffset));
        m.put("gen", Integer.toString(generation));
        m.put("abi", Integer.toString(abi));
        m.put("mech", mechanism);
        if (javaToolOptions != null) {
            m.put("jto", javaToolOptions);
        }
        if (jdkJavaOptions != null) {
            m.put("jdo", jdkJavaOptions);
        }
        m.put("summary", summary);
        for (int i = 0; i < warnings.size(); i++) {
            m.put("w" + i, warnings.get(i));
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (!b.isEmpty()) {
                b.append('&');
            }
            b.append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    /** The marker in {@code value}, or null when it is malformed. */
    public static Marker decode(String value) {
        try {
            Map<String, String> m = new LinkedHashMap<>();
            for (String part : value.split("&")) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    return null;
                }
                m.put(part.substring(0, eq), URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
            if (!VERSION.equals(m.get("v"))) {
                return null;
            }
            List<String> warnings = new ArrayList<>();
            for (int i = 0; m.containsKey("w" + i); i++) {
                warnings.add(m.get("w" + i));
            }
            return new Marker(Long.parseLong(m.get("pid")), Long.parseUnsignedLong(m.get("canary"), 16),
                    Integer.parseInt(m.get("gen")), Integer.parseInt(m.get("abi")), m.getOrDefault("mech", "re-exec"),
                    m.get("jto"), m.get("jdo"), m.getOrDefault("summary", ""), List.copyOf(warnings));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
