package dev.landlockagent.seccomp;

import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.plan.SocketPlan;

/**
 * The one place that decides who enforces socket-creation rules on this kernel.
 *
 * <p>Today no released kernel has Landlock socket rules (an unmerged patch series; docs/kernel-facts.md), so
 * the seccomp filter enforces the whole {@link SocketPlan}. When a kernel reports them, a Landlock
 * backend adds the plan's kinds to the ruleset here and returns the part seccomp must still check
 * (io_uring is covered by the Landlock hook too, per the RFC). No constants of the unmerged
 * interface are guessed: the kernel's ABI will tell.
 */
public interface SocketEnforcement {
    /** What the seccomp filter must still enforce of {@code plan}. */
    SocketPlan forSeccomp(SocketPlan plan);

    /** The enforcement for this kernel. */
    static SocketEnforcement forKernel(LandlockAbi abi) {
        return Seccomp.INSTANCE;
    }

    /** Everything in the seccomp filter. */
    final class Seccomp implements SocketEnforcement {
        static final Seccomp INSTANCE = new Seccomp();

        private Seccomp() {
        }

        @Override
        public SocketPlan forSeccomp(SocketPlan plan) {
            return plan;
        }
    }
}
