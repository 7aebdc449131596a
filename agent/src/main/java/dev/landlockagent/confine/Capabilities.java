package dev.landlockagent.confine;

import dev.landlockagent.linux.Capability;
import dev.landlockagent.linux.Errno;
import dev.landlockagent.linux.ProcStatus;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;

import java.io.IOException;
import java.util.List;

/**
 * The capabilities a thread holds, and how the confining thread gives up every one the policy does
 * not keep. Capabilities belong to each thread: capset(2) and PR_CAPBSET_DROP change the caller
 * only, and no call changes the JVM's other threads. So only a thread that exists before any other
 * gives the promise to the whole JVM: the re-executed JVM's first thread, which inherits the
 * confining thread's sets at execve. {@link Startup} re-executes whenever {@link #needsDropping}.
 *
 * <p>Why the sets end up empty (capabilities(7), security/commoncap.c): the bounding set limits
 * what any later execve can grant; no_new_privs (set first) keeps execve from granting more than
 * the permitted set held before it, file capabilities and setuid root included; the ambient set is
 * cleared; permitted, effective and inheritable are lowered to what the policy keeps. A process
 * without CAP_SETPCAP (any non-root one) cannot lower its bounding set; under no_new_privs that set
 * grants nothing, and docs/security.md says so.
 *
 * <p>The five sets are 64-bit {@link Capability} masks as /proc/self/status shows them for the
 * main thread; {@code mountFailure} is why {@link ReadOnlyView#enter} failed, or null.
 */
public record Capabilities(long inheritable, long permitted, long effective, long bounding, long ambient,
                           String mountFailure) {
    /** The same sets, for a JVM whose mount namespace could not be made ({@link ReadOnlyView#enter}). */
    static Capabilities withoutMountView(Capabilities held, String failure) {
        return new Capabilities(held.inheritable, held.permitted, held.effective, held.bounding, held.ambient, failure);
    }

    /** Whether this JVM can make its {@link ReadOnlyView}: CAP_SYS_ADMIN, and no earlier try failed. */
    boolean mayMount() {
        return (effective & Capability.SYS_ADMIN.mask()) != 0 && mountFailure == null;
    }

    /** For the INFO line: why there is no read-only view. */
    String whyNoMountView(boolean reExec) {
        if ((effective & Capability.SYS_ADMIN.mask()) == 0) {
            return "the read-only mount view needs CAP_SYS_ADMIN";
        }
        if (mountFailure != null) {
            return "no read-only mount view: " + mountFailure;
        }
        return reExec ? "no read-only mount view" : "the read-only mount view needs the re-exec path";
    }

    /** The main thread's sets, from /proc/self/status (the thread-group leader's). */
    public static Capabilities ofThisProcess() throws StartupFailure {
        try {
            return of(ProcStatus.self());
        } catch (IOException e) {
            throw new StartupFailure("cannot read this JVM's capabilities from /proc/self/status: " + e, e);
        }
    }

    static Capabilities parse(String status) {
        return of(ProcStatus.parse(status));
    }

    private static Capabilities of(ProcStatus s) {
        return new Capabilities(s.mask("CapInh"), s.mask("CapPrm"), s.mask("CapEff"), s.mask("CapBnd"), s.mask("CapAmb"), null);
    }

    /** Whether this thread holds, or could give itself, a capability the policy does not keep. */
    public boolean needsDropping(long keep) {
        long held = inheritable | permitted | effective | ambient;
        boolean canLowerBounding = (permitted & Capability.SETPCAP.mask()) != 0;
        return (held & ~keep) != 0 || (canLowerBounding && (bounding & ~keep) != 0);
    }

    /** For messages: the held capabilities the policy does not keep. */
    public List<String> beyond(long keep) {
        return Capability.names((inheritable | permitted | effective | ambient) & ~keep);
    }

    /**
     * Gives up, on the calling thread, every capability not in {@code keep}: from the bounding set
     * (when CAP_SETPCAP allows it), the ambient set, and the permitted, effective and inheritable
     * sets. Kept capabilities stay effective, and ambient where they can be (so that a non-root
     * JVM keeps them across the re-exec).
     */
    static void dropAllBut(long keep, Syscalls sys) throws StartupFailure {
        long[] now;
        try {
            now = sys.capget();
        } catch (SyscallException e) {
            throw new StartupFailure("cannot read this thread's capabilities: " + e.getMessage(), e);
        }
        long effective = now[0];
        long permitted = now[1];
        long inheritable = now[2];
        long setpcap = Capability.SETPCAP.mask();
        try {
            if ((permitted & setpcap) != 0) {
                if ((effective & setpcap) == 0) {
                    effective |= setpcap;
                    sys.capset(effective, permitted, inheritable);
                }
                for (int cap = 0; cap < 64; cap++) {
                    if ((keep & (1L << cap)) != 0) {
                        continue;
                    }
                    try {
                        sys.dropBoundingCapability(cap);
                    } catch (SyscallException e) {
                        if (e.is(Errno.EINVAL)) {
                            break; // past this kernel's last capability
                        }
                        throw e;
                    }
                }
            }
            try {
                sys.clearAmbientCapabilities();
            } catch (SyscallException e) {
                if (!e.is(Errno.EINVAL)) {
                    throw e; // EINVAL: a kernel before 4.3 has no ambient set
                }
            }
            sys.capset(permitted & keep, permitted & keep, inheritable & keep);
            for (int cap = 0; cap < 64; cap++) {
                long bit = 1L << cap;
                if ((keep & permitted & inheritable & bit) != 0) {
                    try {
                        sys.raiseAmbientCapability(cap);
                    } catch (SyscallException e) {
                        // not raisable here (securebits): the kept capability still holds in this JVM
                    }
                }
            }
        } catch (SyscallException e) {
            throw new StartupFailure("cannot give up the capabilities the policy does not keep ("
                    + String.join(", ", Capability.names(permitted & ~keep)) + "): " + e.getMessage(), e);
        }
    }
}
