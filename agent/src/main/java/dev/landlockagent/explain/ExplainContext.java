package dev.landlockagent.explain;

import dev.landlockagent.plan.RulesetPlan;

/** What the explainer judges a denial against: the plan this JVM was confined with, and its policy's name. */
public record ExplainContext(String policyOrigin, RulesetPlan plan) {
    /** No plan to judge against: denials keep the JDK's messages. */
    static final ExplainContext NONE = new ExplainContext("", null);
}
