package dev.landlockagent.confine;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.Landlock;
import dev.landlockagent.landlock.RestrictSelfFlag;
import dev.landlockagent.linux.Errno;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;
import dev.landlockagent.plan.PathGrant;
import dev.landlockagent.plan.PortGrant;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.seccomp.Bpf;
import dev.landlockagent.plan.SocketPlan;
import dev.landlockagent.seccomp.SeccompFilter;
import dev.landlockagent.seccomp.SocketEnforcement;
import dev.landlockagent.seccomp.SockFilter;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Applies a {@link RulesetPlan} to the calling thread (or, with TSYNC, the whole process):
 * no_new_privs, the Landlock ruleset, then the seccomp filter for socket rules. Every failure is a
 * {@link StartupFailure} naming the step, the rule and the errno's meaning.
 */
public final class Confinement {
    private final Syscalls sys;

    public Confinement(Syscalls sys) {
        this.sys = sys;
    }

    /**
     * @param allThreads TSYNC for Landlock and seccomp; otherwise only this thread (and what it
     *                   executes or starts later)
     * @param canary     the re-exec canary to put in the seccomp filter, or {@link SeccompFilter.Canary#NONE}
     */
    public void apply(RulesetPlan plan, boolean allThreads, boolean logNewExec, SeccompFilter.Canary canary)
            throws StartupFailure {
        try {
            sys.setNoNewPrivs();
        } catch (SyscallException e) {
            throw new StartupFailure("cannot set no_new_privs, which Landlock and seccomp require: " + e.getMessage(), e);
        }
        if (plan.hasLandlockRuleset()) {
            landlock(plan, allThreads, logNewExec);
        }
        SocketPlan sockets = SocketEnforcement.forKernel(plan.abi()).forSeccomp(plan.sockets());
        List<SockFilter> program = SeccompFilter.compile(sockets, sys.arch(), canary);
        if (sockets.restrictsCreation() || canary.offset() != 0) {
            try {
                sys.seccompSetFilter(program, allThreads ? Bpf.SECCOMP_FILTER_FLAG_TSYNC : 0);
            } catch (SyscallException e) {
                throw new StartupFailure("cannot install the seccomp filter that enforces the socket rules: " + e.getMessage(), e);
            }
        }
    }

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
            for (PortGrant g : plan.ports()) {
                for (int port = g.from(); port <= g.to(); port++) {
                    try {
                        ruleset.allowPort(port, g.right().mask());
                    } catch (SyscallException e) {
                        throw new StartupFailure("cannot add the Landlock rule " + g.right().kernelName() + " port " + port
                                + " (" + g.origin() + "): " + e.getMessage(), e);
                    }
                }
            }
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
