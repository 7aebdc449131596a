package dev.landlockagent.landlock;

/** Flags of {@code landlock_restrict_self(2)}, each with the ABI that introduced it. */
public enum RestrictSelfFlag {
    /** Do not audit-log denials of the same executable (ABI 7). */
    LOG_SAME_EXEC_OFF(0, 7),
    /** Audit-log denials after an execve (ABI 7); off by default. */
    LOG_NEW_EXEC_ON(1, 7),
    /** Do not audit-log denials of nested domains (ABI 7). */
    LOG_SUBDOMAINS_OFF(2, 7),
    /** Put every thread of the process in the new domain, atomically (ABI 8). */
    TSYNC(3, 8);

    private final int bit;
    private final int sinceAbi;

    RestrictSelfFlag(int bit, int sinceAbi) {
        this.bit = bit;
        this.sinceAbi = sinceAbi;
    }

    public int mask() {
        return 1 << bit;
    }

    public int sinceAbi() {
        return sinceAbi;
    }
}
