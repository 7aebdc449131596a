package dev.landlockagent.landlock;

/**
 * Landlock errata bits ({@code LANDLOCK_CREATE_RULESET_ERRATA}, queried from ABI 7): fixes the
 * running kernel has, which change what a ruleset means.
 */
public record Errata(int mask) {
    /** TCP rights no longer apply to MPTCP, SCTP or SMC sockets (a deliberate change). */
    public static final int TCP_RIGHTS_EXCLUDE_OTHER_PROTOCOLS = 1;
    /** Signal scoping no longer blocks signals between threads of one process. */
    public static final int SIGNAL_SCOPE_BETWEEN_THREADS = 1 << 1;
    /** REFER checks on disconnected directories are fixed. */
    public static final int REFER_DISCONNECTED_DIRECTORIES = 1 << 2;

    public static final Errata NONE = new Errata(0);

    public boolean has(int bit) {
        return (mask & bit) != 0;
    }
}
