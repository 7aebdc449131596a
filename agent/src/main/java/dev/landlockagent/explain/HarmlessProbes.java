package dev.landlockagent.explain;

/**
 * Probes that meet a denial, catch it and go on as if the thing were absent, without a word to the
 * user: a WARN advising a wider policy would be wrong for them. Each is recognised by its frame on
 * the stack, the class and, where the class also does what a policy must allow, the method. Each
 * was measured: the application behaves the same with and without the right (docs/kernel-facts.md).
 */
final class HarmlessProbes {
    /** Class on the stack, its method or null for any, and why its denial is harmless. */
    private static final String[][] PROBES = {
            {"sun.security.provider.SeedGenerator", null,
                    "SecureRandom's seeding lists java.io.tmpdir for extra entropy and does without it"},
            {"org.apache.tomcat.util.net.AbstractEndpoint", "getUnlockAddress",
                    "Tomcat's shutdown looks for a local address to wake its acceptor with; closing the listening socket wakes it"},
            {"io.netty.util.NetUtil$SoMaxConnAction", null,
                    "Netty reads somaxconn for its default backlog and uses 4096 (the kernel's default) without it"},
    };

    private HarmlessProbes() {
    }

    /** Why the denial on this thread's stack is one of the known harmless probes, or null. */
    static String onStack() {
        return StackWalker.getInstance().walk(frames -> frames.limit(64).map(f -> {
            for (String[] p : PROBES) {
                if (f.getClassName().equals(p[0]) && (p[1] == null || f.getMethodName().equals(p[1]))) {
                    return p[2];
                }
            }
            return null;
        }).filter(why -> why != null).findFirst().orElse(null));
    }
}
