package dev.landlockagent.policy;

import java.util.List;

/**
 * Expands {@code ${java.home}}, {@code ${java.io.tmpdir}}, {@code ${user.home}}, {@code ${user.dir}},
 * {@code ${app.dir}} and {@code ${env:NAME}} in a policy path. Nothing else is read: a substitution
 * never opens a file.
 */
public final class Substitutions {
    public static final List<String> NAMES = List.of("java.home", "java.io.tmpdir", "user.home", "user.dir", "app.dir", "env:NAME");

    private Substitutions() {
    }

    /** Thrown with a message naming the variable and the fix. */
    public static final class SubstitutionException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String fix;

        SubstitutionException(String message, String fix) {
            super(message);
            this.fix = fix;
        }

        public String fix() {
            return fix;
        }
    }

    /** The named substitutions' values in {@code ctx}, in {@link #NAMES}' order; {@code app.dir} only with -jar. */
    public static java.util.Map<String, java.nio.file.Path> values(PolicyContext ctx) {
        java.util.Map<String, java.nio.file.Path> out = new java.util.LinkedHashMap<>();
        out.put("java.home", ctx.javaHome());
        out.put("java.io.tmpdir", ctx.tmpDir());
        out.put("user.home", ctx.userHome());
        out.put("user.dir", ctx.userDir());
        if (ctx.appDir() != null) {
            out.put("app.dir", ctx.appDir());
        }
        return out;
    }

    public static String expand(String text, PolicyContext ctx) throws SubstitutionException {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int start = text.indexOf("${", i);
            if (start < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, start);
            int end = text.indexOf('}', start + 2);
            if (end < 0) {
                throw new SubstitutionException("\"${\" at character " + (start + 1) + " is not closed",
                        "close it with '}' or remove it");
            }
            String name = text.substring(start + 2, end);
            out.append(value(name, ctx));
            i = end + 1;
        }
        return out.toString();
    }

    private static String value(String name, PolicyContext ctx) throws SubstitutionException {
        switch (name) {
            case "java.home":
                return ctx.javaHome().toString();
            case "java.io.tmpdir":
                return ctx.tmpDir().toString();
            case "user.home":
                return ctx.userHome().toString();
            case "user.dir":
                return ctx.userDir().toString();
            case "app.dir":
                if (ctx.appDir() == null) {
                    throw new SubstitutionException("${app.dir} is the folder of the application's jar, but this JVM was not started with -jar",
                            "start the application with java -jar, or write the folder's path");
                }
                return ctx.appDir().toString();
            default:
                if (name.startsWith("env:")) {
                    String var = name.substring(4);
                    if (var.isEmpty()) {
                        throw new SubstitutionException("${env:} names no environment variable", "write ${env:NAME}");
                    }
                    String v = ctx.env().get(var);
                    if (v == null || v.isEmpty()) {
                        throw new SubstitutionException("environment variable " + var + " is not set",
                                "set " + var + " before starting the JVM, or write the path");
                    }
                    return v;
                }
                String suggestion = Suggest.closest(name, NAMES);
                throw new SubstitutionException("unknown substitution ${" + name + "}",
                        (suggestion != null ? "did you mean ${" + suggestion + "}? " : "")
                                + "known: ${" + String.join("}, ${", NAMES) + "}");
        }
    }
}
