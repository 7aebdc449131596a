package dev.landlockagent.explain;

import dev.landlockagent.linux.Capability;
import dev.landlockagent.plan.RulesetPlan;

/** Operations the kernel allows only with a capability, explained. */
final class CapabilityDenials {
    private CapabilityDenials() {
    }

    /**
     * Denied by the policy when it does not keep {@code needed}; else the JVM never had it (not
     * root, not given it at start).
     */
    static Denial explain(RulesetPlan plan, String what, Capability needed, Denial.Facts facts) {
        Denial.Facts f = facts.withCapability(needed.policyName());
        if ((plan.capabilities() & needed.mask()) != 0) {
            return Denial.elsewhere(what, "the JVM was started without " + needed.kernelName()
                    + " (run it as root, or give it the capability, for example with systemd's AmbientCapabilities=),"
                    + " or another LSM", f);
        }
        String kept = plan.capabilities() == 0 ? "none" : String.join(", ", Capability.names(plan.capabilities()));
        return Denial.byPolicy(what, "the capabilities: " + kept, "\"" + needed.policyName() + "\"",
                "\"capabilities\" (a list; the JVM must hold it when it starts)", f);
    }
}
