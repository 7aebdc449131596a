package dev.landlockagent.landlock;

/** Landlock scopes ({@code LANDLOCK_SCOPE_*}, ABI 6): IPC a domain may not reach outside itself. */
public enum Scope {
    ABSTRACT_UNIX_SOCKET(0, 6, "abstract-unix-socket"),
    SIGNAL(1, 6, "signal");

    private final int bit;
    private final int sinceAbi;
    private final String policyName;

    Scope(int bit, int sinceAbi, String policyName) {
        this.bit = bit;
        this.sinceAbi = sinceAbi;
        this.policyName = policyName;
    }

    public long mask() {
        return 1L << bit;
    }

    public int sinceAbi() {
        return sinceAbi;
    }

    /** The name a policy uses, e.g. {@code abstract-unix-socket}. */
    public String policyName() {
        return policyName;
    }

    public static Scope byPolicyName(String name) {
        for (Scope s : values()) {
            if (s.policyName.equals(name)) {
                return s;
            }
        }
        return null;
    }
}
