package dev.landlockagent.plan;

import dev.landlockagent.landlock.Errata;
import dev.landlockagent.landlock.LandlockAbi;

/** What the running kernel offers, as far as planning needs to know. */
public record KernelInfo(LandlockAbi abi, Errata errata) {
    public static KernelInfo of(int abi) {
        return new KernelInfo(LandlockAbi.of(abi), Errata.NONE);
    }
}
