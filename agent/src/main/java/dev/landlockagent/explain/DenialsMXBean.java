package dev.landlockagent.explain;

import java.util.Map;

/**
 * The denials of this JVM, as the MBean {@value DenialMetrics#NAME}: what JDK Mission Control,
 * jconsole and Prometheus' JMX exporter read. Counts only grow.
 */
public interface DenialsMXBean {
    /** Where the enforced policy came from (a file path, or {@code jar!/resource}). */
    String getPolicyOrigin();

    /** The digest of the policy's bytes: the same for every JVM confined by the same policy. */
    String getPolicyDigest();

    /** Every denial the agent explained or refused, of any kind. */
    long getTotal();

    /** The total by the part of the policy each concerns: filesystem, network, sockets, dns, capabilities, syscalls, exit, elsewhere. */
    Map<String, Long> getByKind();

    /**
     * The count of each distinct denial, keyed by what would fix it (where the rule goes and the
     * rule): repeats of one fix count together, as the log's summary does. At most the first 256.
     */
    Map<String, Long> getByDenial();

    /** Denials of kinds beyond the first 256 distinct ones: counted in the total, not listed. */
    long getUnlisted();
}
