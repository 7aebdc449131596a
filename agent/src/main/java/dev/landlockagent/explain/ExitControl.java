package dev.landlockagent.explain;

import dev.landlockagent.instrument.Operation;
import dev.landlockagent.policy.Policy.ExitRule;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The policy's {@code "exit"} rule, asked by the woven {@code Runtime.exit} and {@code Runtime.halt}
 * (launch.ExitHook) before they end the JVM. Every frame on the calling thread's stack that is not
 * the JDK's (boot or platform class loader) nor the agent's must be the main class's or code the
 * rule names: so a plugin cannot end the JVM by calling the host, nor from a thread of its own, nor
 * from a hidden class (hidden frames are walked too). A denied call gets a SecurityException, as
 * under the SecurityManager, naming the rule and the fix; it is logged and counted as a denial.
 */
public final class ExitControl implements BiFunction<String, Object[], Throwable> {
    private static final StackWalker WALKER = StackWalker.getInstance(
            EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_HIDDEN_FRAMES));

    private final ExitRule rule;
    private final String policyOrigin;
    private final Supplier<String> mainClassSource;
    private final ClassLoader agentLoader = ExitControl.class.getClassLoader();
    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();
    private final DenialLog log = DenialLog.JVM;
    private volatile String mainClass;

    /** {@code mainClass} is asked at the first exit: the class the JVM started, or null when unknown. */
    public ExitControl(ExitRule rule, String policyOrigin, Supplier<String> mainClass) {
        this.rule = rule;
        this.policyOrigin = policyOrigin;
        this.mainClassSource = mainClass;
    }

    @Override
    public Throwable apply(String operation, Object[] args) {
        int status = (Integer) args[0];
        List<StackWalker.StackFrame> frames = WALKER.walk(s -> s.toList());
        for (StackWalker.StackFrame f : frames) {
            Class<?> c = f.getDeclaringClass();
            if (jdkOrAgent(c) || allowed(c.getName())) {
                continue;
            }
            String call = (operation.equals(Operation.RUNTIME_HALT.id()) ? "Runtime.halt(" : calledFromSystem(frames)
                    ? "System.exit(" : "Runtime.exit(") + status + ")";
            Denial d = denial(call, f);
            log.record(d, policyOrigin);
            SecurityException e = new SecurityException(d.message(policyOrigin));
            StackTraceElement[] trace = e.getStackTrace();
            int ours = 0;
            while (ours < trace.length && trace[ours].getClassName().equals(ExitControl.class.getName())) {
                ours++;
            }
            e.setStackTrace(java.util.Arrays.copyOfRange(trace, ours, trace.length)); // from Runtime.exit down
            return e;
        }
        return null;
    }

    private static boolean calledFromSystem(List<StackWalker.StackFrame> frames) {
        for (StackWalker.StackFrame f : frames) {
            if (f.getDeclaringClass() == System.class && f.getMethodName().equals("exit")) {
                return true;
            }
        }
        return false;
    }

    private boolean jdkOrAgent(Class<?> c) {
        ClassLoader l = c.getClassLoader();
        return l == null || l == platform || l == agentLoader;
    }

    private boolean allowed(String className) {
        String main = mainClass();
        return main != null && (className.equals(main) || className.startsWith(main + "$")) || rule.names(className);
    }

    private String mainClass() {
        String m = mainClass;
        if (m == null) {
            m = mainClassSource.get();
            mainClass = m == null ? "" : m;
        }
        return m == null || m.isEmpty() ? null : m;
    }

    /** The denial: what was called, by which code, and the rule naming that code's class. */
    private Denial denial(String call, StackWalker.StackFrame f) {
        String code = f.getClassName() + "." + f.getMethodName()
                + (f.getFileName() == null ? "" : " (" + f.getFileName() + (f.getLineNumber() > 0 ? ":" + f.getLineNumber() : "") + ")");
        String what = call + " from " + code;
        List<String> names = new ArrayList<>(rule.allowed());
        names.add(topLevel(f.getClassName()));
        StringBuilder r = new StringBuilder("{\"allow\": [");
        for (int i = 0; i < names.size(); i++) {
            r.append(i == 0 ? "" : ", ").append('"').append(names.get(i)).append('"');
        }
        r.append("]}");
        String main = mainClass();
        String allowed = "exit to the JDK" + (main == null ? "" : ", the main class " + main)
                + (rule.allowed().isEmpty() ? "" : " and " + String.join(", ", rule.allowed()))
                + (rule.at() == null ? "" : " (\"exit\" at line " + rule.at().line() + ")");
        Denial.Facts facts = new Denial.Facts("exit", null, null, null, -1, null, null, null, null, null, null, null);
        return Denial.byPolicy(what, allowed, r.toString(), "\"exit\"", facts, "exit: " + topLevel(f.getClassName()));
    }

    /** {@code a.b.C} for {@code a.b.C$D} and for a hidden class {@code a.b.C$$Lambda/0x...}. */
    private static String topLevel(String className) {
        int slash = className.indexOf('/');
        String n = slash < 0 ? className : className.substring(0, slash);
        int dollar = n.indexOf('$');
        return dollar < 0 ? n : n.substring(0, dollar);
    }
}
