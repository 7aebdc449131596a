package dev.landlockagent.explain;

/**
 * The JDK's own probes that meet a denial, catch it and go on as if the thing were absent: a WARN
 * advising a wider policy would be wrong for them. Each is recognised by its frame on the stack.
 */
final class HarmlessProbes {
    /** Class on the stack, and why its denial is harmless. */
    private static final String[][] PROBES = {
            {"sun.security.provider.SeedGenerator",
                    "SecureRandom's seeding lists java.io.tmpdir for extra entropy and does without it"},
    };

    private HarmlessProbes() {
    }

    /** Why the denial on this thread's stack is one of the JDK's harmless probes, or null. */
    static String onStack() {
        return StackWalker.getInstance().walk(frames -> frames.limit(64).map(f -> {
            for (String[] p : PROBES) {
                if (f.getClassName().equals(p[0])) {
                    return p[1];
                }
            }
            return null;
        }).filter(why -> why != null).findFirst().orElse(null));
    }
}
