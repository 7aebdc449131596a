package dev.landlockagent.confine;

import java.util.ArrayList;
import java.util.List;

/**
 * Start-up phase timings, printed to stderr with {@code -Dlandlock.timing=true}; docs/performance.md
 * explains where the time goes with them. Costs one property read when off.
 */
final class Timing {
    static final String PROPERTY = "landlock.timing";
    private static final boolean ON = Boolean.getBoolean(PROPERTY);
    private static final List<String> PHASES = new ArrayList<>();
    private static long last;

    private Timing() {
    }

    static void start(long nanos) {
        last = nanos;
    }

    static void mark(String phase) {
        if (ON) {
            long now = System.nanoTime();
            PHASES.add(phase + " " + (now - last) / 100_000 / 10.0 + " ms");
            last = now;
        }
    }

    static void print(String jvm) {
        if (ON && !PHASES.isEmpty()) {
            System.err.println("[landlock-agent] timing (" + jvm + ", pid " + ProcessHandle.current().pid() + "): "
                    + String.join(", ", PHASES));
            PHASES.clear();
        }
    }
}
