package dev.landlockagent.confine;

import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.log.Logs;
import dev.landlockagent.plan.PlanSummary;
import org.slf4j.Logger;

import java.util.List;

/**
 * What the confined JVM says once it runs: the INFO line and best-effort's warnings. It also names
 * the policy the plan was made from, so that the re-executed JVM explains denials only against the
 * policy that is enforced.
 *
 * @param mechanism    how the process was confined ({@link Mechanism#label()})
 * @param origin       where the policy came from
 * @param summary      the INFO line's facts about the plan
 * @param warnings     best-effort warnings to log once
 * @param policyDigest the digest of the policy's bytes ({@link dev.landlockagent.policy.PolicySource.Document#digest()})
 */
public record StartReport(String mechanism, String origin, PlanSummary summary, List<String> warnings,
                          String policyDigest) {
    public StartReport {
        warnings = List.copyOf(warnings);
    }

    /** The INFO line, for the kernel ABI {@code abi} the plan was made for. */
    String line(int abi) {
        return "confined by " + origin + ": " + LandlockAbi.of(abi) + ", " + mechanism + "; " + summary.text();
    }

    /** Logs the INFO line, then each warning. */
    void announce(int abi) {
        Logger log = Logs.agent();
        log.info(line(abi));
        for (String w : warnings) {
            log.warn(w);
        }
    }
}
