package dev.landlockagent.bench.idiom;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.List;

/**
 * Times the first use of one Java idiom in a fresh JVM, and prints it in nanoseconds: what the
 * agent's start-up path would pay for it once per JVM (docs/start-up-path.md). Compiled with javac's
 * defaults (invokedynamic string concatenation), unlike the agent, so that each idiom is what it is
 * in ordinary code. Each idiom has its cheap counterpart, the form the agent uses instead.
 */
public final class FirstUse {
    private FirstUse() {
    }

    public static void main(String[] args) throws Throwable {
        String idiom = args[0];
        int n = args.length; // a value javac cannot fold into a constant
        long start = System.nanoTime();
        Object result = use(idiom, n);
        long elapsed = System.nanoTime() - start;
        System.out.println(elapsed + " " + (result == null ? "" : result.hashCode() & 1));
    }

    private static Object use(String idiom, int n) throws Throwable {
        return switch (idiom) {
            case "lambda" -> {
                Runnable r = () -> { };
                r.run();
                yield r;
            }
            case "anonymous-class" -> {
                Runnable r = new Runnable() {
                    @Override
                    public void run() {
                    }
                };
                r.run();
                yield r;
            }
            case "indy-concat" -> "n=" + n;
            case "string-builder" -> new StringBuilder().append("n=").append(n).toString();
            case "pattern-switch" -> patternSwitch(n == 1 ? "one" : Integer.valueOf(n));
            case "instanceof-chain" -> instanceofChain(n == 1 ? "one" : Integer.valueOf(n));
            case "record-hashcode" -> new Pair("a", n).hashCode();
            case "hand-written-hashcode" -> new HandPair("a", n).hashCode();
            case "method-invoke" -> {
                Method m = FirstUse.class.getDeclaredMethod("target", int.class);
                yield m.invoke(null, n);
            }
            case "method-handle" -> {
                MethodHandle h = MethodHandles.lookup().findStatic(FirstUse.class, "target",
                        MethodType.methodType(int.class, int.class));
                yield (int) h.invokeExact(n);
            }
            case "stream" -> List.of(1, 2, n).stream().map(i -> i + 1).toList();
            case "loop" -> {
                List<Integer> in = List.of(1, 2, n);
                java.util.ArrayList<Integer> out = new java.util.ArrayList<>();
                for (Integer i : in) {
                    out.add(i + 1);
                }
                yield out;
            }
            case "runtime-version" -> Runtime.version().feature();
            case "version-property" -> Integer.parseInt(System.getProperty("java.specification.version"));
            case "process-handle-pid" -> ProcessHandle.current().pid();
            case "proc-self-pid" -> Long.parseLong(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self")).toString());
            case "nothing" -> null;
            default -> throw new IllegalArgumentException("unknown idiom " + idiom);
        };
    }

    private static String patternSwitch(Object o) {
        return switch (o) {
            case String s -> s;
            case Integer i -> Integer.toString(i);
            default -> "";
        };
    }

    private static String instanceofChain(Object o) {
        if (o instanceof String) {
            return (String) o;
        }
        if (o instanceof Integer) {
            return Integer.toString((Integer) o);
        }
        return "";
    }

    private static int target(int x) {
        return x + 1;
    }

    private record Pair(String a, int b) {
    }

    private static final class HandPair {
        private final String a;
        private final int b;

        HandPair(String a, int b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public int hashCode() {
            return a.hashCode() * 31 + b;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof HandPair p && p.a.equals(a) && p.b == b;
        }
    }
}
