package dev.landlockagent.explain;

import java.util.Map;

/**
 * One denied operation, explained: what it was in kernel terms, whether this policy is what
 * denies it, what the policy does allow for that kind of operation, and the rule to add.
 *
 * @param what       e.g. {@code socket(AF_INET, SOCK_DGRAM, 0)}, {@code connect to 10.0.0.5:5432 (TCP)}
 * @param byPolicy   false when the policy allows the operation: the denial came from elsewhere
 * @param allowed    one line: what the policy allows for this kind
 * @param rule       the JSON to add, ready to paste
 * @param where      where in the policy it goes, e.g. {@code "sockets"}
 * @param elsewhere  when not by the policy: the likely other causes
 * @param fields     key-values for the log line and the JFR event (domain, type, protocol, port, path)
 */
public record Denial(String what, boolean byPolicy, String allowed, String rule, String where, String elsewhere,
                     Map<String, Object> fields) {

    /** The message of the replacement exception. */
    public String message(String policyOrigin) {
        if (!byPolicy) {
            return what + ": the landlock-agent policy " + policyOrigin + " allows this, so the denial comes from"
                    + " elsewhere (" + elsewhere + ")";
        }
        return what + " is not allowed by the landlock-agent policy " + policyOrigin + ". It allows " + allowed
                + ". To allow this, add to " + where + ": " + rule;
    }

    /** A key for counting repeats. */
    public String key() {
        return what + (byPolicy ? "" : " (elsewhere)");
    }
}
