package dev.landlockagent.landlock;

/**
 * What a Landlock ABI version offers: which access rights, scopes and restrict_self flags exist,
 * and how large {@code struct landlock_ruleset_attr} must be. Versions above the newest one the
 * agent knows behave as that one (the kernel keeps old ABIs stable).
 *
 * <pre>
 * ABI  Linux  adds
 *  1   5.13   filesystem rights execute .. make_sym
 *  2   5.19   refer
 *  3   6.2    truncate
 *  4   6.7    TCP bind and connect rules
 *  5   6.10   ioctl_dev
 *  6   6.12   scopes: abstract UNIX sockets, signals
 *  7   6.15   restrict_self audit-log flags, errata query
 *  8   7.0    restrict_self TSYNC
 *  9   7.1    resolve_unix
 * 10   7.2    UDP bind and connect/send rules, quiet fields
 * </pre>
 */
public record LandlockAbi(int version) {
    public static final int NEWEST_KNOWN = 10;
    /** No Landlock at all (disabled at boot or not built). */
    public static final LandlockAbi NONE = new LandlockAbi(0);

    private static final String[] LINUX = {"-", "5.13", "5.19", "6.2", "6.7", "6.10", "6.12", "6.15", "7.0", "7.1", "7.2"};

    public LandlockAbi {
        if (version < 0) {
            throw new IllegalArgumentException("Landlock ABI " + version);
        }
    }

    public static LandlockAbi of(int version) {
        return new LandlockAbi(version);
    }

    public boolean available() {
        return version > 0;
    }

    public boolean supports(AccessFs right) {
        return version >= right.sinceAbi();
    }

    public boolean supports(AccessNet right) {
        return version >= right.sinceAbi();
    }

    public boolean supports(Scope scope) {
        return version >= scope.sinceAbi();
    }

    public boolean supports(RestrictSelfFlag flag) {
        return version >= flag.sinceAbi();
    }

    /** Mask of every filesystem right this ABI has. */
    public long fsRights() {
        long mask = 0;
        for (AccessFs a : AccessFs.values()) {
            if (supports(a)) {
                mask |= a.mask();
            }
        }
        return mask;
    }

    /** Mask of every network right this ABI has. */
    public long netRights() {
        long mask = 0;
        for (AccessNet a : AccessNet.values()) {
            if (supports(a)) {
                mask |= a.mask();
            }
        }
        return mask;
    }

    /** Mask of every scope this ABI has. */
    public long scopes() {
        long mask = 0;
        for (Scope s : Scope.values()) {
            if (supports(s)) {
                mask |= s.mask();
            }
        }
        return mask;
    }

    public boolean hasTcpRules() {
        return supports(AccessNet.BIND_TCP);
    }

    public boolean hasUdpRules() {
        return supports(AccessNet.BIND_UDP);
    }

    /** Whether restrict_self can confine every thread at once (TSYNC, ABI 8). */
    public boolean hasTsync() {
        return supports(RestrictSelfFlag.TSYNC);
    }

    /**
     * The size of {@code struct landlock_ruleset_attr} to pass: the size that covers the last
     * non-zero field (u64 handled_access_fs @0, handled_access_net @8, scoped @16).
     */
    public static int rulesetAttrSize(long handledNet, long scoped) {
        if (scoped != 0) {
            return 24;
        }
        return handledNet != 0 ? 16 : 8;
    }

    /** The first Linux release with this ABI, e.g. {@code 6.15}. */
    public static String linuxRelease(int abi) {
        return abi >= 1 && abi < LINUX.length ? LINUX[abi] : abi > NEWEST_KNOWN ? "after 7.2" : "-";
    }

    /**
     * The ABI a mainline kernel of this release ({@code uname -r}, e.g. {@code 6.18.4-amd64}) has if
     * Landlock is enabled, or {@link #NONE} for a release before 5.13 or one that cannot be read.
     * Only a guess (distributions backport, and boot options turn Landlock off): the agent plans
     * for it while the FFM link is still running, and plans again if the kernel says otherwise.
     */
    public static LandlockAbi expectedFor(String release) {
        if (release == null) {
            return NONE;
        }
        int major = leadingNumber(release, 0);
        int dot = release.indexOf('.');
        int minor = dot < 0 ? -1 : leadingNumber(release, dot + 1);
        if (major < 0 || minor < 0) {
            return NONE;
        }
        for (int abi = NEWEST_KNOWN; abi >= 1; abi--) {
            String first = LINUX[abi];
            int firstMajor = leadingNumber(first, 0);
            int firstMinor = leadingNumber(first, first.indexOf('.') + 1);
            if (major > firstMajor || (major == firstMajor && minor >= firstMinor)) {
                return of(abi);
            }
        }
        return NONE;
    }

    private static int leadingNumber(String s, int from) {
        int end = from;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end == from || end - from > 6 ? -1 : Integer.parseInt(s, from, end, 10);
    }

    /** For messages: "Landlock ABI 9 (Linux 7.1)". */
    public static String describe(int abi) {
        return "Landlock ABI " + abi + " (Linux " + linuxRelease(abi) + ")";
    }

    @Override
    public String toString() {
        return version == 0 ? "no Landlock" : "Landlock ABI " + version;
    }
}
