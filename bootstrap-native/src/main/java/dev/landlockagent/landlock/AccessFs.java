package dev.landlockagent.landlock;

/**
 * Landlock's filesystem access rights ({@code LANDLOCK_ACCESS_FS_*}), each with its bit and the ABI
 * that introduced it. {@link #kernelName()} is the name a policy uses.
 */
public enum AccessFs {
    EXECUTE(0, 1, true),
    WRITE_FILE(1, 1, true),
    READ_FILE(2, 1, true),
    READ_DIR(3, 1, false),
    REMOVE_DIR(4, 1, false),
    REMOVE_FILE(5, 1, false),
    MAKE_CHAR(6, 1, false),
    MAKE_DIR(7, 1, false),
    MAKE_REG(8, 1, false),
    MAKE_SOCK(9, 1, false),
    MAKE_FIFO(10, 1, false),
    MAKE_BLOCK(11, 1, false),
    MAKE_SYM(12, 1, false),
    REFER(13, 2, false),
    TRUNCATE(14, 3, true),
    IOCTL_DEV(15, 5, true),
    // Connecting to a pathname UNIX socket: a right on the folder that holds the socket.
    RESOLVE_UNIX(16, 9, false);

    private final int bit;
    private final int sinceAbi;
    private final boolean appliesToFiles;

    AccessFs(int bit, int sinceAbi, boolean appliesToFiles) {
        this.bit = bit;
        this.sinceAbi = sinceAbi;
        this.appliesToFiles = appliesToFiles;
    }

    public long mask() {
        return 1L << bit;
    }

    public int sinceAbi() {
        return sinceAbi;
    }

    /**
     * Whether a rule on a file (not a folder) may grant this right: the kernel's ACCESS_FILE set
     * ({@code security/landlock/fs.c}); other rights only make sense beneath a folder.
     */
    public boolean appliesToFiles() {
        return appliesToFiles;
    }

    /** The lower-case kernel name without prefix, e.g. {@code read_file}. */
    public String kernelName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static AccessFs byKernelName(String name) {
        for (AccessFs a : values()) {
            if (a.kernelName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    /** Mask of all rights that apply to files. */
    public static long fileRights() {
        long m = 0;
        for (AccessFs a : values()) {
            if (a.appliesToFiles) {
                m |= a.mask();
            }
        }
        return m;
    }

    /** The rights in {@code mask}, in bit order. */
    public static java.util.List<AccessFs> of(long mask) {
        java.util.List<AccessFs> list = new java.util.ArrayList<>();
        for (AccessFs a : values()) {
            if ((mask & a.mask()) != 0) {
                list.add(a);
            }
        }
        return list;
    }

    /** The kernel names of the rights in {@code mask}, comma-separated. */
    public static String names(long mask) {
        StringBuilder b = new StringBuilder();
        for (AccessFs a : of(mask)) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            b.append(a.kernelName());
        }
        return b.toString();
    }
}
