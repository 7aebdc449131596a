package dev.landlockagent.landlock;

import dev.landlockagent.linux.Errno;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;

import java.util.Set;

/** Landlock's three syscalls as typed operations over a {@link Syscalls} seam. */
public final class Landlock {
    private static final int CREATE_RULESET_VERSION = 1;

    private final Syscalls sys;

    public Landlock(Syscalls sys) {
        this.sys = sys;
    }

    /**
     * The running kernel's ABI. Throws with the reason Landlock is missing: EOPNOTSUPP (disabled
     * at boot) or ENOSYS (not built in).
     */
    public LandlockAbi abi() throws SyscallException {
        int v = sys.landlockQuery(CREATE_RULESET_VERSION);
        if (v <= 0) {
            throw new SyscallException("landlock_create_ruleset", Errno.EOPNOTSUPP.number());
        }
        return LandlockAbi.of(v);
    }

    /** Creates a ruleset handling the given access; close it when done. */
    public Ruleset createRuleset(long handledFs, long handledNet, long scoped) throws SyscallException {
        int size = LandlockAbi.rulesetAttrSize(handledNet, scoped);
        return new Ruleset(sys, sys.landlockCreateRuleset(handledFs, handledNet, scoped, size));
    }

    /** An open ruleset descriptor. */
    public static final class Ruleset implements AutoCloseable {
        private final Syscalls sys;
        private final int fd;
        private boolean closed;

        Ruleset(Syscalls sys, int fd) {
            this.sys = sys;
            this.fd = fd;
        }

        public int fd() {
            return fd;
        }

        /** Grants {@code rights} beneath the file or folder open as {@code pathFd} (O_PATH). */
        public void allowPath(int pathFd, long rights) throws SyscallException {
            sys.landlockAddPathBeneath(fd, rights, pathFd);
        }

        /** Grants {@code rights} on one port (host byte order). */
        public void allowPort(long port, long rights) throws SyscallException {
            sys.landlockAddNetPort(fd, rights, port);
        }

        /** Puts the calling thread (or, with TSYNC, the process) in a domain made of this ruleset. */
        public void restrictSelf(Set<RestrictSelfFlag> flags) throws SyscallException {
            int mask = 0;
            for (RestrictSelfFlag f : flags) {
                mask |= f.mask();
            }
            sys.landlockRestrictSelf(fd, mask);
        }

        @Override
        public void close() throws SyscallException {
            if (!closed) {
                closed = true;
                sys.close(fd);
            }
        }
    }
}
