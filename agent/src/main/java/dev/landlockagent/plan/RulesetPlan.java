package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessNet;
import dev.landlockagent.landlock.LandlockAbi;

import dev.landlockagent.linux.Capability;
import dev.landlockagent.policy.PrivilegedSyscalls;

import java.util.List;
import java.util.Set;

/**
 * What to enforce on this kernel: the Landlock ruleset (handled access, path and port rules,
 * scopes), the socket plan, what may bind and listen, the capabilities the JVM keeps ({@link Capability} bits) and the
 * privileged syscalls the policy allows ({@link PrivilegedSyscalls} names), plus what could not be
 * enforced, and whether the policy accepts less than all of it ({@code bestEffort}: its
 * "compatibility", which also decides whether a JVM whose threads cannot all be confined may run
 * with its main thread confined only). Plain data between planning and applying.
 */
public record RulesetPlan(
        String policyOrigin,
        LandlockAbi abi,
        long handledFs,
        long handledNet,
        long scoped,
        List<PathGrant> paths,
        List<PortGrant> ports,
        SocketPlan sockets,
        ListenPlan listening,
        List<String> notEnforced,
        List<String> warnings,
        long capabilities,
        Set<String> allowedSyscalls,
        boolean bestEffort,
        boolean attach) {

    /** Whether there is a Landlock ruleset to create at all (the kernel refuses an empty one). */
    public boolean hasLandlockRuleset() {
        return handledFs != 0 || handledNet != 0 || scoped != 0;
    }

    public long portCount(AccessNet right) {
        long n = 0;
        for (PortGrant g : ports) {
            if (g.right() == right) {
                n += g.count();
            }
        }
        return n;
    }

    public boolean handles(AccessNet right) {
        return (handledNet & right.mask()) != 0;
    }

    /** Whether a port is allowed for a right, as the kernel will decide. */
    public boolean allowsPort(AccessNet right, int port) {
        if (!handles(right)) {
            return true;
        }
        for (PortGrant g : ports) {
            if (g.right() == right && port >= g.from() && port <= g.to()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The rights granted at a path, as the kernel computes them: the union of the rules on the path
     * itself and on every folder above it, with symbolic links resolved on both sides ({@link KernelPath}).
     */
    public long grantedAt(java.nio.file.Path path) {
        java.nio.file.Path target = KernelPath.of(path);
        long access = 0;
        for (PathGrant g : paths) {
            java.nio.file.Path root = KernelPath.of(g.path());
            if (target.equals(root) || (target.startsWith(root) && java.nio.file.Files.isDirectory(root))) {
                access |= g.access();
            }
        }
        return access;
    }

    /** The counts and notes the agent's INFO line reports, without the mechanism. */
    public PlanSummary summary() {
        return summary(null);
    }

    /** As {@link #summary()}, for a confinement without the read-only mount view ({@code metadataGap}: why), if not null. */
    public PlanSummary summary(String metadataGap) {
        return PlanSummary.of(this, PrivilegedSyscalls.LIST_VERSION, metadataGap);
    }
}
