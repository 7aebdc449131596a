package dev.landlockagent.explain;

import dev.landlockagent.log.Logs;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reports each kind of denial once at WARN through SLF4J, with key-values, and counts repeats:
 * denials the same rule would fix (for files, the same rights missing in the same folder) are one
 * kind, so that a client asking a file-serving endpoint for many denied files, or JFR trying one
 * repository folder after another, makes one line. At most {@value #MAX_KINDS} kinds are kept;
 * beyond them denials are counted, not logged, so that nothing a client sends can flood the log or
 * grow the heap. The counts are logged once more when the JVM exits. Every denial is also a JFR event,
 * and, when asked, a line for a test harness ({@link DenialReport}).
 */
final class DenialLog {
    static final int MAX_KINDS = 256;
    /** This JVM's: every denial the agent explains, and every exit it refuses, is counted in one place. */
    static final DenialLog JVM = new DenialLog();

    private final Logger log = Logs.agent();
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
    private final AtomicInteger unlisted = new AtomicInteger();
    /** Every denial recorded, by {@link Denial#kind()}: a handful of keys. */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> byKind = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean summaryHook;
    private volatile DenialMetrics metrics;

    /** One kind of denial: the first one seen, and how many there were. */
    private static final class Kind {
        final String first;
        final AtomicInteger count = new AtomicInteger();

        Kind(String first) {
            this.first = first;
        }
    }

    void record(Denial d, String policyOrigin) {
        total.incrementAndGet();
        byKind.computeIfAbsent(d.kind(), k -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
        DenialMetrics m = metrics;
        if (m != null) {
            m.firstDenial();
        }
        jfr(d, policyOrigin);
        DenialReport.write(d, policyOrigin);
        Suggestions suggestions = Suggestions.active();
        if (suggestions != null) {
            suggestions.add(d, policyOrigin);
        }
        Kind kind = kinds.get(d.group());
        if (kind == null) {
            if (kinds.size() >= MAX_KINDS) {
                if (unlisted.getAndIncrement() == 0) {
                    log.warn("more than {} kinds of denial: the others are counted, not logged", MAX_KINDS);
                }
                summaryAtExit();
                return;
            }
            Kind fresh = new Kind(d.what());
            kind = kinds.putIfAbsent(d.group(), fresh);
            if (kind == null) {
                fresh.count.incrementAndGet();
                warn(d, policyOrigin);
                return;
            }
        }
        kind.count.incrementAndGet();
        summaryAtExit();
    }

    /** Publishes the counts as the MBean {@link DenialMetrics#NAME} once; see there for when. */
    void publish(DenialMetrics m) {
        metrics = m;
    }

    long total() {
        return total.get();
    }

    long unlisted() {
        return unlisted.get();
    }

    /** Counts by kind ({@link Denial#kind()}). */
    Map<String, Long> byKind() {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Map.Entry<String, java.util.concurrent.atomic.AtomicLong> e : byKind.entrySet()) {
            out.put(e.getKey(), e.getValue().get());
        }
        return out;
    }

    /** Counts of each distinct denial, by what fixes it (the group: where the rule goes and the rule). */
    Map<String, Long> byDenial() {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Map.Entry<String, Kind> e : kinds.entrySet()) {
            out.put(e.getKey(), (long) e.getValue().count.get());
        }
        return out;
    }

    /** A denial the JDK meets in a probe of its own and catches: at DEBUG, with no rule to add. */
    void harmless(Denial d, String why) {
        if (log.isDebugEnabled()) {
            log.debug("denied {}: harmless, {}", d.what(), why);
        }
    }

    private void warn(Denial d, String policyOrigin) {
        LoggingEventBuilder[] e = {log.atWarn()};
        d.facts().forEach((key, value) -> e[0] = e[0].addKeyValue(key, value));
        if (d.byPolicy()) {
            e[0].log("denied " + d.what() + " by policy " + policyOrigin + "; to allow it, add to " + d.where() + ": " + d.rule());
        } else {
            e[0].log("denied " + d.what() + ", although policy " + policyOrigin + " allows it: the denial comes from elsewhere ("
                    + d.elsewhere() + ")");
        }
    }

    private void summaryAtExit() {
        if (summaryHook) {
            return;
        }
        synchronized (this) {
            if (summaryHook) {
                return;
            }
            summaryHook = true;
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(this::summary, "landlock-agent-denials"));
            } catch (IllegalStateException shuttingDown) {
                // too late for a summary
            }
        }
    }

    /** The repeats, at exit: one line per kind seen more than once, and the denials of unlisted kinds. */
    void summary() {
        for (Map.Entry<String, Kind> e : kinds.entrySet()) {
            int n = e.getValue().count.get();
            if (n > 1) {
                log.warn("denied {} times in all: {} and others of its kind ({})", n, e.getValue().first, e.getKey());
            }
        }
        if (unlisted.get() > 0) {
            log.warn("denied {} more times, of kinds beyond the first {}", unlisted.get(), MAX_KINDS);
        }
    }

    private static void jfr(Denial d, String policyOrigin) {
        try {
            DenialEvent event = new DenialEvent();
            if (!event.isEnabled()) {
                return;
            }
            Denial.Facts f = d.facts();
            event.operation = f.operation();
            event.denied = d.what();
            event.byPolicy = d.byPolicy();
            event.domain = f.domain();
            event.type = f.type();
            event.protocol = f.protocol();
            event.port = f.port();
            event.path = f.path();
            event.policy = policyOrigin;
            event.rule = d.rule();
            event.commit();
        } catch (LinkageError noJfr) {
            // jdk.jfr is not in this runtime (a jlink image without it, or --limit-modules)
        }
    }
}
