package dev.landlockagent.confine;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.Landlock;
import dev.landlockagent.landlock.RestrictSelfFlag;
import dev.landlockagent.linux.Arch;
import dev.landlockagent.linux.Bpf;
import dev.landlockagent.linux.Errno;
import dev.landlockagent.linux.SockFilter;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;
import dev.landlockagent.plan.PathGrant;
import dev.landlockagent.plan.PortGrant;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.plan.SocketPlan;
import dev.landlockagent.seccomp.SeccompFilter;
import dev.landlockagent.seccomp.SocketEnforcement;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Applies a {@link RulesetPlan} to the calling thread (or, with TSYNC, the whole process):
 * no_new_privs, the Landlock ruleset, the capabilities the policy does not keep given up (this
 * thread only: see {@link Capabilities}), then the seccomp filter for socket rules and privileged
 * syscalls. Every failure is a {@link StartupFailure} naming the step, the rule and the errno's
 * meaning.
 */
public final class Confinement {
    private final Syscalls sys;

    public Confinement(Syscalls sys) {
        this.sys = sys;
    }

    /**
     * The seccomp program for a plan: the socket rules seccomp enforces on this kernel, the
     * privileged syscalls the policy does not allow, and the canary. Pure computation, so the
     * first JVM makes it while the FFM link is still running.
     */
    public static List<SockFilter> seccompProgram(RulesetPlan plan, Arch arch, SeccompFilter.Canary canary) {
        SocketPlan sockets = SocketEnforcement.forKernel(plan.abi()).forSeccomp(plan.sockets());
        return SeccompFilter.compile(sockets, plan.listening(), plan.allowedSyscalls(), arch, canary);
    }

    /**
     * Confines this thread or, with {@link Mechanism#TSYNC}, every thread of the process.
     *
     * @param seccompProgram made by {@link #seccompProgram}
     * @param readOnlyView   after {@link ReadOnlyView#enter}, the steps of the read-only view (empty for none)
     */
    void apply(RulesetPlan plan, Mechanism mechanism, List<SockFilter> seccompProgram,
               List<ReadOnlyView.Step> readOnlyView) throws StartupFailure {
        boolean allThreads = mechanism == Mechanism.TSYNC;
        try {
            sys.setNoNewPrivs();
        } catch (SyscallException e) {
            throw new StartupFailure("cannot set no_new_privs, which Landlock and seccomp require: " + e.getMessage(), e);
        }
        try {
            ReadOnlyView.apply(readOnlyView, sys);
        } catch (SyscallException e) {
            throw new StartupFailure("cannot make the mounts outside the writable paths read-only: " + e.getMessage(), e);
        }
        if (plan.hasLandlockRuleset()) {
            landlock(plan, allThreads, mechanism == Mechanism.REEXEC);
        }
        Capabilities.dropAllBut(plan.capabilities(), sys);
        if (!seccompProgram.isEmpty()) {
            try {
                sys.seccompSetFilter(seccompProgram, Bpf.SECCOMP_FILTER_FLAG_SPEC_ALLOW
                        | (allThreads ? Bpf.SECCOMP_FILTER_FLAG_TSYNC : 0));
            } catch (SyscallException e) {
                throw new StartupFailure("cannot install the seccomp filter that enforces the socket rules and denies privileged syscalls: " + e.getMessage(), e);
            }
        }
    }

    /** @param logNewExec the process executes the confined JVM next: keep its denials in Landlock's audit log */
    private void landlock(RulesetPlan plan, boolean allThreads, boolean logNewExec) throws StartupFailure {
        Landlock landlock = new Landlock(sys);
        Landlock.Ruleset ruleset;
        try {
            ruleset = landlock.createRuleset(plan.handledFs(), plan.handledNet(), plan.scoped());
        } catch (SyscallException e) {
            throw new StartupFailure("cannot create the Landlock ruleset: " + e.getMessage(), e);
        }
        try {
            for (PathGrant g : plan.paths()) {
                allowPath(ruleset, g);
            }
            allowPorts(ruleset, plan.ports());
            Set<RestrictSelfFlag> flags = EnumSet.noneOf(RestrictSelfFlag.class);
            if (allThreads) {
                flags.add(RestrictSelfFlag.TSYNC);
            }
            if (logNewExec && plan.abi().supports(RestrictSelfFlag.LOG_NEW_EXEC_ON)) {
                // The re-executed JVM is a "new exec" to Landlock's audit; keep its denials in the audit log.
                flags.add(RestrictSelfFlag.LOG_NEW_EXEC_ON);
            }
            try {
                ruleset.restrictSelf(flags);
            } catch (SyscallException e) {
                throw new StartupFailure("cannot enter the Landlock domain: " + e.getMessage(), e);
            }
        } finally {
            try {
                ruleset.close();
            } catch (SyscallException ignored) {
                // the descriptor is O_CLOEXEC; nothing depends on closing it here
            }
        }
    }

    /**
     * One Landlock rule per port with every right granted on it: a port in both a bind list and a
     * connect range costs one landlock_add_rule, not two (a 1024-65535 range is 64,512 calls).
     */
    private static void allowPorts(Landlock.Ruleset ruleset, List<PortGrant> grants) throws StartupFailure {
        if (grants.isEmpty()) {
            return;
        }
        long[] rights = new long[65536];
        int low = 65535;
        int high = 0;
        for (PortGrant g : grants) {
            for (int port = g.from(); port <= g.to(); port++) {
                rights[port] |= g.right().mask();
            }
            low = Math.min(low, g.from());
            high = Math.max(high, g.to());
        }
        for (int port = low; port <= high; port++) {
            if (rights[port] == 0) {
                continue;
            }
            try {
                ruleset.allowPort(port, rights[port]);
            } catch (SyscallException e) {
                StringBuilder from = new StringBuilder();
                for (PortGrant g : grants) {
                    if (g.from() <= port && port <= g.to()) {
                        from.append(from.isEmpty() ? "" : ", ").append(g.right().kernelName()).append(" (")
                                .append(g.origin()).append(')');
                    }
                }
                throw new StartupFailure("cannot add the Landlock rule for port " + port + ": " + from + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private void allowPath(Landlock.Ruleset ruleset, PathGrant g) throws StartupFailure {
        int fd;
        try {
            fd = sys.openPath(g.path().toString());
        } catch (SyscallException e) {
            if (!g.fromPolicy() && (e.is(Errno.ENOENT) || e.is(Errno.EACCES) || e.is(Errno.ENOTDIR))) {
                return; // a baseline entry this machine lacks or hides
            }
            throw new StartupFailure("cannot open " + g.path() + " for the Landlock rule (" + g.origin() + "): "
                    + e.getMessage(), e);
        }
        try {
            ruleset.allowPath(fd, g.access());
        } catch (SyscallException e) {
            throw new StartupFailure("cannot add the Landlock rule for " + g.path() + " [" + AccessFs.names(g.access())
                    + "] (" + g.origin() + "): " + e.getMessage(), e);
        } finally {
            try {
                sys.close(fd);
            } catch (SyscallException ignored) {
                // O_CLOEXEC: closed at exec at the latest
            }
        }
    }
}
