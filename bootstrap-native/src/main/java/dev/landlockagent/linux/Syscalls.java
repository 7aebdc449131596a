package dev.landlockagent.linux;


import java.util.List;

/**
 * The kernel boundary: every syscall the agent makes, with Java values in and out. The only
 * implementation that touches native memory is {@link LinuxSyscalls}; tests put another one in its
 * place to make any call fail with any errno. Every method throws {@link SyscallException} with the
 * syscall's name and errno.
 */
public interface Syscalls {

    /** The machine these syscalls are for. */
    Arch arch();

    /** {@code landlock_create_ruleset(NULL, 0, flags)}: the ABI version or the errata mask. */
    int landlockQuery(int flags) throws SyscallException;

    /** {@code landlock_create_ruleset(&attr, size, 0)}; returns the ruleset's descriptor. */
    int landlockCreateRuleset(long handledAccessFs, long handledAccessNet, long scoped, int attrSize)
            throws SyscallException;

    /** {@code landlock_add_rule(ruleset, LANDLOCK_RULE_PATH_BENEATH, &{allowed, parentFd}, 0)}. */
    void landlockAddPathBeneath(int rulesetFd, long allowedAccess, int parentFd) throws SyscallException;

    /** {@code landlock_add_rule(ruleset, LANDLOCK_RULE_NET_PORT, &{allowed, port}, 0)}. */
    void landlockAddNetPort(int rulesetFd, long allowedAccess, long port) throws SyscallException;

    /** {@code landlock_restrict_self(ruleset, flags)}. */
    void landlockRestrictSelf(int rulesetFd, int flags) throws SyscallException;

    /** {@code prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)} for the calling thread. */
    void setNoNewPrivs() throws SyscallException;

    /** {@code openat(AT_FDCWD, path, O_PATH | O_CLOEXEC)}. */
    int openPath(String path) throws SyscallException;

    /** {@code openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC)}. */
    int openReadWrite(String path) throws SyscallException;

    /** {@code dup3(source, target, O_CLOEXEC)}: {@code target} now names what {@code source} does. */
    void replaceDescriptor(int source, int target) throws SyscallException;

    /** {@code close(fd)}. */
    void close(int fd) throws SyscallException;

    /** {@code seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog)}. */
    void seccompSetFilter(List<SockFilter> program, int flags) throws SyscallException;

    /**
     * {@code seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER | TSYNC | TSYNC_ESRCH, &prog)} (Linux 5.7):
     * the filter on every thread of the process, and the descriptor of its user-notification
     * listener, which a supervisor process reads (a learn run).
     */
    int seccompListener(List<SockFilter> program) throws SyscallException;

    /** {@code prctl(PR_SET_PTRACER, pid)}: lets {@code pid} read this process's memory under Yama's ptrace_scope 1. */
    void setPtracer(long pid) throws SyscallException;

    /** {@code close_range(lowestFd, ~0U, CLOSE_RANGE_CLOEXEC)}: every descriptor from there up closes at exec. */
    void closeOnExecFrom(int lowestFd) throws SyscallException;

    /** {@code fcntl(fd, F_SETFD, FD_CLOEXEC)}. */
    void setCloseOnExec(int fd) throws SyscallException;

    /**
     * {@code capget} (version 3) of the calling thread: {effective, permitted, inheritable}, each a
     * 64-bit set of {@link Capability} bits.
     */
    long[] capget() throws SyscallException;

    /** {@code capset} (version 3) of the calling thread. */
    void capset(long effective, long permitted, long inheritable) throws SyscallException;

    /** {@code prctl(PR_CAPBSET_DROP, cap)}: the calling thread's bounding set, which execve and children inherit. */
    void dropBoundingCapability(int cap) throws SyscallException;

    /** {@code prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)} for the calling thread. */
    void clearAmbientCapabilities() throws SyscallException;

    /** {@code prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap)} for the calling thread. */
    void raiseAmbientCapability(int cap) throws SyscallException;

    /** {@code unshare(CLONE_NEWNS)}: the calling thread gets its own copy of the mount table. */
    void unshareMountNamespace() throws SyscallException;

    /** {@code mount(source, target, NULL, flags, NULL)}: a bind mount, or a propagation change with source null. */
    void mount(String source, String target, long flags) throws SyscallException;

    /**
     * {@code mount_setattr(AT_FDCWD, path, atFlags, &{attrSet, attrClr, 0, 0}, 32)} (Linux 5.12):
     * the mount at {@code path}, and with AT_RECURSIVE every mount below it.
     */
    void mountSetattr(String path, int atFlags, long attrSet, long attrClr) throws SyscallException;

    /** {@code chdir(path)}. */
    void chdir(String path) throws SyscallException;

    /** {@code pipe2(fds, O_CLOEXEC | O_NONBLOCK)}: the read end, then the write end. */
    int[] pipe() throws SyscallException;

    /** One {@code write(fd, data, length)}: the count written, which may be short. */
    int write(int fd, byte[] data) throws SyscallException;

    /**
     * Puts {@code source} at {@code target} with close-on-exec off ({@code dup3(source, target, 0)},
     * or, where they are the same descriptor, {@code fcntl(F_SETFD, 0)}): {@code target} survives execve.
     */
    void inheritAs(int source, int target) throws SyscallException;

    /** {@code execve(path, argv, envp)}. Returns only by throwing. */
    void execve(String path, List<byte[]> argv, List<byte[]> environment) throws SyscallException;
}
