package dev.landlockagent.explain;

import dev.landlockagent.log.Logs;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reports each distinct denial once at WARN through SLF4J, with key-values, and counts repeats
 * (reported once more, with the count, when the JVM exits). Every denial is also a JFR event.
 */
final class DenialLog {
    private final Logger log = Logs.agent();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private volatile boolean summaryHook;

    void record(Denial d, String policyOrigin) {
        jfr(d, policyOrigin);
        AtomicInteger count = seen.computeIfAbsent(d.key(), k -> new AtomicInteger());
        if (count.incrementAndGet() > 1) {
            summaryAtExit();
            return;
        }
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

    private void summary() {
        for (Map.Entry<String, AtomicInteger> e : seen.entrySet()) {
            if (e.getValue().get() > 1) {
                log.warn("denied {} {} times in all", e.getKey(), e.getValue().get());
            }
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
