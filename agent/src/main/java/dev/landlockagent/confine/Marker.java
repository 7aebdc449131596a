package dev.landlockagent.confine;

import dev.landlockagent.plan.PlanSummary;
import dev.landlockagent.policy.Location;
import dev.landlockagent.policy.Policy.ExitRule;

import java.net.URLDecoder;
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
public record Marker(ConfinementProof proof, MovedOptions moved, StartReport report, ExitRule exit) {
    public static final String PROPERTY = "landlock.agent.exec";
    private static final String VERSION = "2";

    /** With no exit rule. */
    public Marker(ConfinementProof proof, MovedOptions moved, StartReport report) {
        this(proof, moved, report, ExitRule.UNCONTROLLED);
    }

    /** Announces the report with the proof's ABI. */
    void announce() {
        report.announce(proof.abi());
    }

    /**
     * The marker as one short value of URL-encoded fields with one-letter keys: {@code ps} shows it
     * to every user of the machine, and a JVM's command line is read by every tool that lists JVMs.
     */
    public String encode() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("v", VERSION);
        m.put("p", Long.toString(proof.pid()));
        m.put("c", Long.toHexString(proof.canaryOffset()));
        m.put("g", Integer.toString(proof.generation()));
        m.put("a", Integer.toString(proof.abi()));
        m.put("m", report.mechanism());
        if (moved.javaToolOptions() != null) {
            m.put("j", moved.javaToolOptions());
        }
        if (moved.jdkJavaOptions() != null) {
            m.put("k", moved.jdkJavaOptions());
        }
        m.put("d", report.policyDigest());
        m.put("o", report.origin());
        m.put("s", report.summary().encode());
        for (int i = 0; i < report.warnings().size(); i++) {
            m.put("w" + i, report.warnings().get(i));
        }
        if (exit.controlled()) {
            // the rule's line, then the code it names: "x=4;com.example.Main,com.example.cli.*"
            m.put("x", (exit.at() == null ? "" : Integer.toString(exit.at().line())) + ";" + String.join(",", exit.allowed()));
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (!b.isEmpty()) {
                b.append('&');
            }
            b.append(e.getKey()).append('=');
            escape(e.getValue(), b);
        }
        return b.toString();
    }

    /**
     * Percent-encodes what would end a field or confuse {@link URLDecoder} (which {@link #decode}
     * uses), and leaves paths and numbers readable.
     */
    private static void escape(String value, StringBuilder b) {
        for (byte c : value.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._/,:@".indexOf(c) >= 0) {
                b.append((char) c);
            } else if (c == ' ') {
                b.append('+');
            } else {
                b.append('%').append(Character.forDigit((c >> 4) & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
    }

    /** The marker in {@code value}, or null when it is malformed or of another version. */
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
            ExitRule exit = ExitRule.UNCONTROLLED;
            String x = m.get("x");
            if (x != null) {
                int semicolon = x.indexOf(';');
                String line = x.substring(0, semicolon);
                String names = x.substring(semicolon + 1);
                exit = new ExitRule(true, names.isEmpty() ? List.of() : List.of(names.split(",")),
                        line.isEmpty() ? null : new Location(m.getOrDefault("o", "?"), Integer.parseInt(line), 1));
            }
            return new Marker(
                    new ConfinementProof(Long.parseLong(m.get("p")), Long.parseUnsignedLong(m.get("c"), 16),
                            Integer.parseInt(m.get("g")), Integer.parseInt(m.get("a"))),
                    new MovedOptions(m.get("j"), m.get("k")),
                    new StartReport(m.getOrDefault("m", Mechanism.REEXEC.label()), m.getOrDefault("o", "?"),
                            PlanSummary.decode(m.get("s")), warnings, m.getOrDefault("d", "")), exit);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
