package dev.landlockagent.plan;

import dev.landlockagent.landlock.LandlockAbi;

/**
 * What the running kernel offers, as far as planning needs to know: its Landlock ABI. Landlock's
 * errata are not asked for: the one that changes a plan (erratum 1, TCP rights that do not cover
 * MPTCP, SCTP and SMC) is closed on every kernel by denying those sockets while TCP ports are
 * restricted (docs/kernel-facts.md).
 */
public record KernelInfo(LandlockAbi abi) {
    public static KernelInfo of(int abi) {
        return new KernelInfo(LandlockAbi.of(abi));
    }
}
