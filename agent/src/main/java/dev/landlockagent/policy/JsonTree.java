package dev.landlockagent.policy;


import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy as plain, editable values (maps in written order, lists, strings, longs, booleans), so
 * that a learn run can add to a policy a person wrote and keep everything else of it, and its
 * printer: one line per rule, as the README's policies are written.
 */
public final class JsonTree {
    private JsonTree() {
    }

    public static Object of(Json json) {
        return switch (json) {
            case Json.JObject o -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (Json.Member member : o.members()) {
                    m.put(member.key(), of(member.value()));
                }
                yield m;
            }
            case Json.JArray a -> {
                List<Object> l = new ArrayList<>();
                for (Json e : a.elements()) {
                    l.add(of(e));
                }
                yield l;
            }
            case Json.JString s -> s.value();
            case Json.JNumber n -> n.integral() ? (Object) n.value() : n.text();
            case Json.JBoolean b -> b.value();
            case Json.JNull n -> null;
        };
    }

    public static String print(Object root) {
        StringBuilder b = new StringBuilder();
        if (root instanceof Map<?, ?> m) {
            b.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append("  ").append(quote(e.getKey().toString())).append(": ");
                Object v = e.getValue();
                if (v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map) {
                    b.append("[\n");
                    for (int j = 0; j < l.size(); j++) {
                        b.append("    ").append(inline(l.get(j))).append(j + 1 < l.size() ? ",\n" : "\n");
                    }
                    b.append("  ]");
                } else {
                    b.append(inline(v));
                }
                b.append(++i < m.size() ? ",\n" : "\n");
            }
            return b.append("}\n").toString();
        }
        return inline(root) + "\n";
    }

    public static String inline(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return quote(s);
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(i++ > 0 ? ", " : "").append(quote(e.getKey().toString())).append(": ").append(inline(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                b.append(i > 0 ? ", " : "").append(inline(l.get(i)));
            }
            return b.append(']').toString();
        }
        return v.toString();
    }

    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
