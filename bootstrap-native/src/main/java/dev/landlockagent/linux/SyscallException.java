package dev.landlockagent.linux;

/**
 * A syscall failed. Carries the syscall's name and errno, and says what that errno means for
 * that syscall, for example {@code landlock_create_ruleset: EOPNOTSUPP (Landlock is ... disabled at boot ...)}.
 */
public final class SyscallException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final int errno;

    public SyscallException(String syscall, int errno) {
        super(syscall + ": " + Errno.nameOf(errno) + " (" + meaning(syscall, errno) + ")");
        this.syscall = syscall;
        this.errno = errno;
    }

    private static String meaning(String syscall, int errno) {
        Errno e = Errno.of(errno);
        return e == null ? "unknown error" : e.meaningFor(syscall);
    }

    public String syscall() {
        return syscall;
    }

    public int errno() {
        return errno;
    }

    public boolean is(Errno e) {
        return e.number() == errno;
    }

    /** What the errno means for this syscall, without the syscall and errno names. */
    public String meaning() {
        return meaning(syscall, errno);
    }
}
