package dev.landlockagent.linux;

/**
 * The errno values the agent can meet, with their kernel names (asm-generic numbering, shared by
 * x86_64 and aarch64). {@link #meaningFor(String)} says what a value means for one syscall here.
 */
public enum Errno {
    EPERM(1, "operation not permitted"),
    ENOENT(2, "no such file or directory"),
    ESRCH(3, "no such process"),
    EINTR(4, "interrupted system call"),
    EIO(5, "input/output error"),
    E2BIG(7, "argument list too long"),
    ENOEXEC(8, "exec format error"),
    EBADF(9, "bad file descriptor"),
    EAGAIN(11, "resource temporarily unavailable"),
    ENOMEM(12, "cannot allocate memory"),
    EACCES(13, "permission denied"),
    EFAULT(14, "bad address"),
    EBUSY(16, "device or resource busy"),
    EEXIST(17, "file exists"),
    ENOTDIR(20, "not a directory"),
    EISDIR(21, "is a directory"),
    EINVAL(22, "invalid argument"),
    ENFILE(23, "too many open files in system"),
    EMFILE(24, "too many open files"),
    ETXTBSY(26, "text file busy"),
    ENOSPC(28, "no space left on device"),
    ESPIPE(29, "illegal seek"),
    EROFS(30, "read-only file system"),
    EPIPE(32, "broken pipe"),
    ENAMETOOLONG(36, "file name too long"),
    ENOSYS(38, "function not implemented"),
    ELOOP(40, "too many levels of symbolic links"),
    ENOMSG(42, "no message of desired type"),
    EOVERFLOW(75, "value too large for defined data type"),
    EBADFD(77, "file descriptor in bad state"),
    ELIBBAD(80, "accessing a corrupted shared library"),
    EOPNOTSUPP(95, "operation not supported"),
    EAFNOSUPPORT(97, "address family not supported by protocol"),
    EADDRINUSE(98, "address already in use"),
    EADDRNOTAVAIL(99, "cannot assign requested address"),
    ECONNREFUSED(111, "connection refused");

    private final int number;
    private final String description;

    Errno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    public int number() {
        return number;
    }

    public String description() {
        return description;
    }

    /** The constant for {@code number}, or {@code null} when the agent has no name for it. */
    public static Errno of(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return e;
            }
        }
        return null;
    }

    /** A name for any errno value: the kernel name when known, else {@code errno N}. */
    public static String nameOf(int number) {
        Errno e = of(number);
        return e == null ? "errno " + number : e.name();
    }

    /**
     * What this errno means when {@code syscall} returns it, in the terms a user can act on.
     * Falls back to the generic description.
     */
    public String meaningFor(String syscall) {
        return switch (syscall) {
            case "landlock_create_ruleset" -> switch (this) {
                case EOPNOTSUPP -> "Landlock is built into this kernel but disabled at boot: add landlock to lsm= on the kernel command line";
                case ENOSYS -> "this kernel was built without Landlock (CONFIG_SECURITY_LANDLOCK): use Linux 5.13 or newer built with it";
                case ENOMSG -> "the ruleset handles no access right at all";
                case E2BIG -> "the ruleset attribute is larger than this kernel knows and its tail is not zero";
                case EINVAL -> "a flag or an access right is unknown to this kernel";
                case EFAULT -> "the ruleset attribute could not be read";
                default -> description;
            };
            case "landlock_add_rule" -> switch (this) {
                case EINVAL -> "the rule grants a right the ruleset does not handle, a right that does not apply to a file, or a port above 65535";
                case ENOMSG -> "the rule grants no right at all";
                case EBADF -> "the parent directory descriptor is not valid";
                case EBADFD -> "the parent descriptor is not an O_PATH file descriptor";
                case EPERM -> "the ruleset was not opened for adding rules";
                default -> description;
            };
            case "landlock_restrict_self" -> switch (this) {
                case EPERM -> "the thread has neither no_new_privs nor CAP_SYS_ADMIN";
                case E2BIG -> "the process is already inside 16 nested Landlock domains, the most the kernel allows";
                case EINVAL -> "a restrict_self flag is unknown to this kernel (TSYNC needs Landlock ABI 8)";
                case EBADFD -> "the descriptor is not a Landlock ruleset";
                default -> description;
            };
            case "seccomp" -> switch (this) {
                case EACCES -> "the thread has neither no_new_privs nor CAP_SYS_ADMIN";
                case EINVAL -> "the filter program or a flag is invalid for this kernel (is CONFIG_SECCOMP_FILTER set?)";
                case ENOMEM -> "the filter is too large for the kernel's limit";
                case ESRCH -> "another thread could not be synchronised to the filter";
                default -> description;
            };
            case "execve" -> switch (this) {
                case EACCES -> "the JVM binary may not be executed: the policy must allow execute on the java launcher";
                case E2BIG -> "the command line and environment are too large to re-execute";
                case ENOENT -> "the JVM binary no longer exists";
                default -> description;
            };
            default -> description;
        };
    }
}
