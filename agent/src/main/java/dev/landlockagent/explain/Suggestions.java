package dev.landlockagent.explain;

import dev.landlockagent.policy.JsonReader;
import dev.landlockagent.policy.JsonTree;
import dev.landlockagent.policy.PolicyException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A suggest run ({@code -javaagent:landlock-agent.jar=suggest:policy.json}): the JVM is confined
 * by the policy as always, and when it ends, the rules that would have let each denied operation
 * through are written as a policy of their own to review ({@code policy.suggested.json}), with a
 * report of which thread and which code each denial met ({@code policy.suggested.md}). The first
 * JVM makes both files before it confines itself, and the JVM baseline grants writing them and
 * nothing else there (landlock-agent's own output, like a diagnostics flag's file).
 */
public final class Suggestions {
    private static volatile Suggestions active;

    /** One kind of denial (one rule fixes it): the first one seen, where, and how often. */
    private record Seen(Denial denial, String thread, String code, int[] count) {
    }

    private final Path fragment;
    private final Path report;
    private final Map<String, Seen> seen = new LinkedHashMap<>();
    private String policyOrigin = "";

    private Suggestions(Path fragment, Path report) {
        this.fragment = fragment;
        this.report = report;
    }

    /** Starts a suggest run in this JVM; the files are written at its end. */
    public static void enable(Path fragment, Path report) {
        Suggestions s = new Suggestions(fragment, report);
        active = s;
        Runtime.getRuntime().addShutdownHook(new Thread(s::write, "landlock-agent-suggestions"));
    }

    /** The files a suggest run writes, or an empty list outside one. */
    public static List<Path> files() {
        Suggestions s = active;
        return s == null ? List.of() : List.of(s.fragment, s.report);
    }

    static Suggestions active() {
        return active;
    }

    synchronized void add(Denial d, String origin) {
        if (!d.byPolicy() || d.rule().isEmpty()) {
            return;
        }
        policyOrigin = origin;
        Seen s = seen.get(d.group());
        if (s != null) {
            s.count()[0]++;
            return;
        }
        seen.put(d.group(), new Seen(d, Thread.currentThread().getName(), applicationFrame(), new int[] {1}));
    }

    /** The first frame of the denied thread that is neither the JDK's nor the agent's. */
    private static String applicationFrame() {
        ClassLoader agent = Suggestions.class.getClassLoader();
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> {
                    ClassLoader l = f.getDeclaringClass().getClassLoader();
                    return l != null && l != agent && l != platform;
                })
                .map(f -> f.getClassName() + "." + f.getMethodName() + " (" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .findFirst().orElse("the JDK"));
    }

    /** The policy of every suggested rule: a valid policy, to review and merge by hand (or with a learn run). */
    synchronized Map<String, Object> fragment() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", 1L);
        for (Seen s : seen.values()) {
            Denial d = s.denial();
            try {
                addRule(root, d.where(), d.rule());
            } catch (PolicyException | RuntimeException e) {
                // a rule the fragment cannot hold: the report has it as written
            }
        }
        return root;
    }

    @SuppressWarnings("unchecked")
    private static void addRule(Map<String, Object> root, String where, String rule) throws PolicyException {
        if (rule.startsWith("\"dns\"")) {
            Object v = ((Map<String, Object>) parse("{" + rule + "}")).get("dns");
            if (!Boolean.TRUE.equals(root.get("dns"))) {
                root.put("dns", v);
            }
        } else if (rule.startsWith("{\"network\"")) {
            deepMerge(root, (Map<String, Object>) parse(rule));
        } else if (where.startsWith("\"filesystem\"")) {
            list(root, "filesystem").add(parse(rule));
        } else if (where.startsWith("\"sockets\"")) {
            Object kind = parse(rule);
            if (!list(root, "sockets").contains(kind)) {
                list(root, "sockets").add(kind);
            }
        } else if (where.startsWith("\"capabilities\"")) {
            list(root, "capabilities").add(parse(rule));
        } else if (where.startsWith("\"syscalls\"")) {
            Map<String, Object> syscalls = (Map<String, Object>) root.computeIfAbsent("syscalls", k -> new LinkedHashMap<>());
            ((List<Object>) syscalls.computeIfAbsent("allow", k -> new ArrayList<>())).add(parse(rule));
        } else if (where.startsWith("\"exit\"")) {
            // the rule lists the policy's names and the one to add: the fragment's list is their union
            Map<String, Object> exit = (Map<String, Object>) root.computeIfAbsent("exit", k -> new LinkedHashMap<>());
            List<Object> allow = (List<Object>) exit.computeIfAbsent("allow", k -> new ArrayList<>());
            for (Object name : (List<Object>) ((Map<String, Object>) parse(rule)).get("allow")) {
                if (!allow.contains(name)) {
                    allow.add(name);
                }
            }
        }
    }

    private static Object parse(String json) throws PolicyException {
        return JsonTree.of(JsonReader.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "suggestion"));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> root, String key) {
        return (List<Object>) root.computeIfAbsent(key, k -> new ArrayList<>());
    }

    @SuppressWarnings("unchecked")
    private static void deepMerge(Map<String, Object> into, Map<String, Object> from) {
        for (Map.Entry<String, Object> e : from.entrySet()) {
            Object mine = into.get(e.getKey());
            if (mine instanceof Map<?, ?> m && e.getValue() instanceof Map<?, ?> theirs) {
                deepMerge((Map<String, Object>) m, (Map<String, Object>) theirs);
            } else if (mine instanceof List<?> l && e.getValue() instanceof List<?> theirs) {
                for (Object o : theirs) {
                    if (!l.contains(o)) {
                        ((List<Object>) l).add(o);
                    }
                }
            } else {
                into.put(e.getKey(), e.getValue());
            }
        }
    }

    private synchronized String reportText() {
        StringBuilder b = new StringBuilder("# What the suggest run was denied\n\n");
        b.append("Policy: `").append(policyOrigin).append("`, written ").append(Instant.now()).append(". ")
                .append(seen.isEmpty() ? "Nothing was denied.\n" : "The rules are in `" + fragment.getFileName()
                        + "`, to review before they go into the policy.\n");
        if (!seen.isEmpty()) {
            b.append("\n| denied | times | thread | code | add to | rule |\n|---|---|---|---|---|---|\n");
            for (Seen s : seen.values()) {
                b.append("| ").append(cell(s.denial().what())).append(" | ").append(s.count()[0]).append(" | ")
                        .append(cell(s.thread())).append(" | ").append(cell(s.code())).append(" | ")
                        .append(cell(s.denial().where())).append(" | `").append(cell(s.denial().rule())).append("` |\n");
            }
        }
        return b.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private void write() {
        try {
            Files.writeString(fragment, JsonTree.print(fragment()));
            Files.writeString(report, reportText());
            int kinds;
            synchronized (this) {
                kinds = seen.size();
            }
            System.err.println("landlock-agent: suggest: " + (kinds == 0 ? "nothing was denied"
                    : kinds + " kind(s) of denial; the rules that would allow them are in " + fragment
                    + " (review them, then add them to the policy), and who was denied in " + report));
        } catch (IOException | RuntimeException e) {
            System.err.println("landlock-agent: suggest: cannot write " + fragment + ": " + e);
        }
    }
}
