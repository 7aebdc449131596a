package dev.landlockagent.confine;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the first JVM tells the JVM it re-executes, as the system property {@value #PROPERTY}: the
 * proof to check, the environment to restore, and the report to give. The marker alone proves
 * nothing: {@link Verification} checks that the process really is the one that was confined.
 */
public record Marker(ConfinementProof proof, MovedOptions moved, StartReport report) {
    public static final String PROPERTY = "landlock.agent.exec";
    private static final String VERSION = "1";

    public String encode() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("v", VERSION);
        m.put("pid", Long.toString(proof.pid()));
        m.put("canary", Long.toHexString(proof.canaryOffset()));
        m.put("gen", Integer.toString(proof.generation()));
        m.put("abi", Integer.toString(proof.abi()));
        m.put("mech", report.mechanism());
        if (moved.javaToolOptions() != null) {
            m.put("jto", moved.javaToolOptions());
        }
        if (moved.jdkJavaOptions() != null) {
            m.put("jdo", moved.jdkJavaOptions());
        }
        m.put("policy", report.policyDigest());
        m.put("summary", report.summary());
        for (int i = 0; i < report.warnings().size(); i++) {
            m.put("w" + i, report.warnings().get(i));
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
            return new Marker(
                    new ConfinementProof(Long.parseLong(m.get("pid")), Long.parseUnsignedLong(m.get("canary"), 16),
                            Integer.parseInt(m.get("gen")), Integer.parseInt(m.get("abi"))),
                    new MovedOptions(m.get("jto"), m.get("jdo")),
                    new StartReport(m.getOrDefault("mech", "re-exec"), m.getOrDefault("summary", ""), List.copyOf(warnings),
                            m.getOrDefault("policy", "")));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
