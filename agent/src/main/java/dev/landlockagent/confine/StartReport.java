package dev.landlockagent.confine;

import dev.landlockagent.log.Logs;
import org.slf4j.Logger;

import java.util.List;

/**
 * What the confined JVM says once it runs: the INFO line and best-effort's warnings. It also names
 * the policy the plan was made from, so that the re-executed JVM explains denials only against the
 * policy that is enforced.
 *
 * @param mechanism    how the process was confined ({@link Mechanism#label()})
 * @param summary      the INFO line's body
 * @param warnings     best-effort warnings to log once
 * @param policyDigest the digest of the policy's bytes ({@link dev.landlockagent.policy.PolicySource.Document#digest()})
 */
public record StartReport(String mechanism, String summary, List<String> warnings, String policyDigest) {
    /** Logs the INFO line, then each warning. */
    void announce() {
        Logger log = Logs.agent();
        log.info(summary);
        for (String w : warnings) {
            log.warn(w);
        }
    }
}
