package dev.landlockagent.confine;

import dev.landlockagent.linux.Arch;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;
import dev.landlockagent.linux.SockFilter;

import java.util.ArrayList;
import java.util.List;

/** Records every call and fails the chosen syscall with the chosen errno: the kernel on demand. */
final class FakeSyscalls implements Syscalls {
    final List<String> calls = new ArrayList<>();
    private final String failing;
    private final int errno;
    private int nextFd = 10;
    List<SockFilter> installedFilter;
    int installedFilterFlags;
    int restrictFlags = -1;
    /** The thread's capability sets; by default root's: every capability effective and permitted. */
    long effective = (1L << 41) - 1;
    long permitted = (1L << 41) - 1;
    long inheritable;
    long bounding = (1L << 41) - 1;

    FakeSyscalls() {
        this(null, 0);
    }

    FakeSyscalls(String failing, int errno) {
        this.failing = failing;
        this.errno = errno;
    }

    private void call(String name) throws SyscallException {
        calls.add(name);
        if (name.equals(failing)) {
            throw new SyscallException(name, errno);
        }
    }

    @Override
    public Arch arch() {
        return Arch.X86_64;
    }

    @Override
    public int landlockQuery(int flags) throws SyscallException {
        call("landlock_create_ruleset");
        return flags == 1 ? 7 : 7;
    }

    @Override
    public int landlockCreateRuleset(long fs, long net, long scoped, int size) throws SyscallException {
        call("landlock_create_ruleset");
        return nextFd++;
    }

    @Override
    public void landlockAddPathBeneath(int rulesetFd, long allowed, int parentFd) throws SyscallException {
        call("landlock_add_rule");
    }

    @Override
    public void landlockAddNetPort(int rulesetFd, long allowed, long port) throws SyscallException {
        call("landlock_add_rule");
    }

    @Override
    public void landlockRestrictSelf(int rulesetFd, int flags) throws SyscallException {
        call("landlock_restrict_self");
        restrictFlags = flags;
    }

    @Override
    public void setNoNewPrivs() throws SyscallException {
        call("prctl");
    }

    @Override
    public int openPath(String path) throws SyscallException {
        call("openat");
        return nextFd++;
    }

    @Override
    public int openReadWrite(String path) throws SyscallException {
        call("openat");
        return nextFd++;
    }

    @Override
    public void replaceDescriptor(int source, int target) throws SyscallException {
        call("dup3");
    }

    @Override
    public int[] pipe() throws SyscallException {
        call("pipe2");
        return new int[] {nextFd++, nextFd++};
    }

    @Override
    public int write(int fd, byte[] data) throws SyscallException {
        call("write");
        return data.length;
    }

    @Override
    public void inheritAs(int source, int target) throws SyscallException {
        call("dup3");
    }

    @Override
    public void close(int fd) throws SyscallException {
        call("close");
    }

    @Override
    public void seccompSetFilter(List<SockFilter> program, int flags) throws SyscallException {
        call("seccomp");
        installedFilter = program;
        installedFilterFlags = flags;
    }

    @Override
    public int seccompListener(List<SockFilter> program) throws SyscallException {
        call("seccomp");
        installedFilter = program;
        return 99;
    }

    @Override
    public void setPtracer(long pid) throws SyscallException {
        call("prctl");
    }

    @Override
    public void closeOnExecFrom(int lowestFd) throws SyscallException {
        call("close_range");
    }

    @Override
    public void setCloseOnExec(int fd) throws SyscallException {
        call("fcntl");
    }

    @Override
    public long[] capget() throws SyscallException {
        call("capget");
        return new long[] {effective, permitted, inheritable};
    }

    @Override
    public void capset(long effective, long permitted, long inheritable) throws SyscallException {
        call("capset");
        if ((permitted & ~this.permitted) != 0 || (effective & ~permitted) != 0) {
            throw new SyscallException("capset", 1);
        }
        this.effective = effective;
        this.permitted = permitted;
        this.inheritable = inheritable;
    }

    @Override
    public void dropBoundingCapability(int cap) throws SyscallException {
        if (cap > 40) {
            throw new SyscallException("prctl PR_CAPBSET_DROP", 22); // past CAP_LAST_CAP
        }
        call("prctl PR_CAPBSET_DROP");
        bounding &= ~(1L << cap);
    }

    @Override
    public void clearAmbientCapabilities() throws SyscallException {
        call("prctl PR_CAP_AMBIENT");
    }

    @Override
    public void raiseAmbientCapability(int cap) throws SyscallException {
        call("prctl PR_CAP_AMBIENT");
    }

    @Override
    public void unshareMountNamespace() throws SyscallException {
        call("unshare");
    }

    @Override
    public void mount(String source, String target, long flags) throws SyscallException {
        call("mount");
    }

    @Override
    public void mountSetattr(String path, int atFlags, long attrSet, long attrClr) throws SyscallException {
        call("mount_setattr");
    }

    @Override
    public void chdir(String path) throws SyscallException {
        call("chdir");
    }

    @Override
    public void execve(String path, List<byte[]> argv, List<byte[]> environment) throws SyscallException {
        call("execve");
        throw new IllegalStateException("a fake execve that succeeded");
    }
}
