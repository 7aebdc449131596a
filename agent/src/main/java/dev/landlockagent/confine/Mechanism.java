package dev.landlockagent.confine;

import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.landlock.RestrictSelfFlag;
import dev.landlockagent.plan.RulesetPlan;

import java.io.IOException;
import java.nio.file.Path;

/** How every thread of the JVM ends up inside the Landlock domain, and how one is chosen. */
public enum Mechanism {
    /** landlock_restrict_self with TSYNC (ABI 8): every thread at once, no restart. */
    TSYNC("TSYNC"),
    /** Restrict the main thread, then execve the same JVM, which is born inside the domain. */
    REEXEC("re-exec"),
    /** best-effort only: the main thread and threads it starts; earlier threads stay outside. */
    MAIN_THREAD_ONLY("main thread only");

    /** Forces a mechanism (auto, tsync, re-exec), for testing both paths on one kernel. */
    public static final String PROPERTY = "landlock.mechanism";

    private final String label;

    Mechanism(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /**
     * TSYNC where the kernel has it, unless this JVM holds capabilities the plan does not keep:
     * capabilities belong to each thread and no syscall takes them from the JVM's other threads
     * ({@link Capabilities}), so such a JVM (root, as in most containers) is re-executed instead.
     *
     * @param forced     the {@value #PROPERTY} property: auto, tsync or re-exec
     * @param executable this process's binary ({@code /proc/self/exe}), to re-execute
     * @param javaHome   the JVM's java.home, whose launcher the executable must be
     */
    static Mechanism choose(String forced, RulesetPlan plan, Capabilities held, Path executable, Path javaHome)
            throws StartupFailure {
        long keep = plan.capabilities();
        switch (forced) {
            case "tsync":
                if (held.needsDropping(keep)) {
                    throw new StartupFailure("-D" + PROPERTY + "=tsync cannot take the capabilities "
                            + String.join(", ", held.beyond(keep)) + " from the JVM's other threads (capabilities belong"
                            + " to each thread); remove the option to let the agent re-execute the JVM, or keep them with"
                            + " \"capabilities\" in the policy");
                }
                return TSYNC;
            case "re-exec", "reexec":
                return reExecOrFallback(plan, executable, javaHome, "-D" + PROPERTY + "=" + forced + " asks for it");
            case "auto":
                LandlockAbi abi = plan.abi();
                if (!abi.hasTsync()) {
                    return reExecOrFallback(plan, executable, javaHome, abi + " has no TSYNC ("
                            + LandlockAbi.describe(RestrictSelfFlag.TSYNC.sinceAbi()) + ")");
                }
                return held.needsDropping(keep) ? reExecOrFallback(plan, executable, javaHome, "the JVM holds the capabilities "
                        + String.join(", ", held.beyond(keep)) + ", which no syscall can take from its other threads")
                        : TSYNC;
            default:
                throw new StartupFailure("-D" + PROPERTY + "=" + forced + " is not one of auto, tsync, re-exec");
        }
    }

    /** @param whyNotTsync why TSYNC cannot confine this JVM, for the message when re-exec cannot either */
    private static Mechanism reExecOrFallback(RulesetPlan plan, Path executable, Path javaHome, String whyNotTsync)
            throws StartupFailure {
        String why = reExecImpossible(executable, javaHome);
        if (why == null) {
            return REEXEC;
        }
        if (plan.bestEffort()) {
            return MAIN_THREAD_ONLY;
        }
        throw new StartupFailure("cannot confine every thread of this JVM: " + whyNotTsync
                + ", and the JVM cannot be re-executed inside the domain because " + why
                + ". Run it with the java launcher, or set \"compatibility\": \"best-effort\" to confine the main thread only");
    }

    /** Why this process cannot be re-executed as the same JVM, or null. */
    private static String reExecImpossible(Path executable, Path javaHome) {
        try {
            Path real = executable.toRealPath();
            if (!ReExec.isJavaLauncher(real) || !real.startsWith(javaHome.toRealPath())) {
                return "/proc/self/exe is " + executable + ", not the java launcher of " + javaHome;
            }
        } catch (IOException e) {
            return "/proc/self/exe (" + executable + ") cannot be resolved: " + e.getMessage();
        }
        return null;
    }
}
