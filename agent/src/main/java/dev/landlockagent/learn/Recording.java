package dev.landlockagent.learn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a learn run saw, in the order it was first seen, each with the first code that
 * needed it. Thread-safe: the supervisor records from its notification loop, and writes the policy
 * from other threads (at the JVM's exit, at the interval).
 */
final class Recording {
    /** Who needed something first: a Java frame, native code, a child process; and on which thread. */
    record Origin(String code, String thread) {
        static final Origin UNKNOWN = new Origin("unknown", "");

        String describe() {
            return thread.isEmpty() ? code : code + " (thread \"" + thread + "\")";
        }
    }

    private final Map<Need, Origin> needs = new LinkedHashMap<>();
    private long changes;

    /** Whether {@code need} is new. */
    synchronized boolean isNew(Need need) {
        return !needs.containsKey(need);
    }

    synchronized void add(Need need, Origin origin) {
        if (needs.putIfAbsent(need, origin) == null) {
            changes++;
        }
    }

    /** A copy of the needs, first seen first. */
    synchronized Map<Need, Origin> snapshot() {
        return new LinkedHashMap<>(needs);
    }

    /** Grows by one each time a new need is recorded: the policy is written again only when it changed. */
    synchronized long changes() {
        return changes;
    }

    synchronized List<Need> needs() {
        return new ArrayList<>(needs.keySet());
    }
}
