package dev.landlockagent.linux;


import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@link Syscalls} through FFM. Every call goes through one downcall handle to libc's
 * {@code syscall(2)}: linking a downcall costs about 100 ms on a cold JVM (measured), so one handle
 * serves every syscall. errno is captured with {@code Linker.Option.captureCallState}.
 *
 * <p>Every argument struct is written into one preallocated buffer with aligned 64-bit stores
 * only: each further memory-access type (byte, short, int, unaligned) costs a VarHandle and its
 * method handles on a cold JVM, and a heap-to-native copy costs a type switch bootstrap.
 *
 * <p>Calls are serialised; the agent makes them from one thread, but the handle may be linked on
 * another (see {@link Linking#start}).
 */
public final class LinuxSyscalls implements Syscalls {
    private static final long AT_FDCWD = -100;
    private static final long O_PATH = 0x200000;          // 010000000, asm-generic and x86
    private static final long O_CLOEXEC = 0x80000;        // 02000000
    private static final long O_RDWR = 2;
    private static final long O_NONBLOCK = 0x800;         // 04000, asm-generic and x86
    private static final long PR_SET_NO_NEW_PRIVS = 38;
    private static final long PR_SET_PTRACER = 0x59616d61; // "Yama"
    private static final long LANDLOCK_RULE_PATH_BENEATH = 1;
    private static final long LANDLOCK_RULE_NET_PORT = 2;
    private static final long SECCOMP_SET_MODE_FILTER = 1;
    private static final long CLOSE_RANGE_CLOEXEC = 1L << 2;
    private static final long F_SETFD = 2;
    private static final long PR_CAPBSET_DROP = 24;
    private static final long PR_CAP_AMBIENT = 47;
    private static final long PR_CAP_AMBIENT_RAISE = 2;
    private static final long PR_CAP_AMBIENT_CLEAR_ALL = 4;
    private static final long LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    private static final long CLONE_NEWNS = 0x20000;
    private static final long FD_CLOEXEC = 1;
    /** PATH_MAX, plus room for the terminating NUL rounded to 8 bytes. */
    private static final int PATH_BUFFER = 4096 + 8;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;

    private final Arch arch;
    private final MethodHandle syscall;
    private final MemorySegment callState;
    /** Where errno lies in {@link #callState}, as the 8-byte word holding it and the shift within it. */
    private final long errnoWord;
    private final int errnoShift;
    /** Struct arguments: ruleset attr (48 bytes), path_beneath (12), net_port (16), capget/capset header and data (32). */
    private final MemorySegment attr;
    /** A path argument. */
    private final MemorySegment path;

    private LinuxSyscalls(Arch arch, Runnable beforeDowncall) {
        this.arch = arch;
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find("syscall").orElse(null);
        if (symbol == null) {
            throw new UnsatisfiedLinkError("libc has no syscall(2)");
        }
        FunctionDescriptor descriptor = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
        // syscall(2) is variadic, and calling it as such is always correct. glibc's is written in
        // assembly on every architecture and only moves registers (it never reads %al or uses
        // va_arg), and on x86-64 and aarch64 Linux variadic integer arguments travel in the same
        // registers as named ones: so with glibc the handle is linked as a plain 7-argument
        // function, which saves ~13 ms of the link on a cold JVM (measured). Other C libraries
        // (musl's syscall is C with va_arg) get the variadic call.
        Linker.Option[] options = linker.defaultLookup().find("gnu_get_libc_version").isPresent()
                ? new Linker.Option[] {Linker.Option.captureCallState("errno")}
                : new Linker.Option[] {Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno")};
        beforeDowncall.run();
        this.syscall = linker.downcallHandle(symbol, descriptor, options);
        StructLayout stateLayout = Linker.Option.captureStateLayout();
        long errnoOffset = offsetOf(stateLayout, "errno");
        Arena arena = Arena.ofAuto();
        // Rounded up to whole 8-byte words: errno is read with the aligned 64-bit load used for
        // everything else (a 32-bit load would be one more VarHandle to spin on a cold JVM).
        this.callState = arena.allocate((stateLayout.byteSize() + 7) & ~7L, 8);
        this.errnoWord = errnoOffset & ~7L;
        int byteInWord = (int) (errnoOffset & 7);
        this.errnoShift = 8 * (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? byteInWord : 4 - byteInWord);
        this.attr = arena.allocate(64, 8);
        this.path = arena.allocate(PATH_BUFFER, 8);
    }

    /** The byte offset of a named member of a struct layout (a plain walk: no layout path, no lambda). */
    private static long offsetOf(StructLayout struct, String name) {
        long offset = 0;
        for (MemoryLayout member : struct.memberLayouts()) {
            if (member.name().isPresent() && member.name().get().equals(name)) {
                if (member.byteSize() != 4 || offset % 4 != 0) {
                    throw new UnsatisfiedLinkError("the captured " + name + " is not an aligned 32-bit int: " + struct);
                }
                return offset;
            }
            offset += member.byteSize();
        }
        throw new UnsatisfiedLinkError("the linker cannot capture " + name + ": " + struct);
    }

    /** Links the downcall handle now, on this thread. */
    public static LinuxSyscalls link() {
        return new LinuxSyscalls(Arch.current(), () -> { });
    }

    /** A link in progress on its own thread (see {@link #start}). */
    public static final class Linking implements Runnable {
        private final Runnable beforeDowncall;
        private LinuxSyscalls result;
        private Throwable failure;
        private boolean done;

        /**
         * Starts linking on a daemon thread, so that the ~120 ms it costs on a cold JVM overlaps
         * the caller's other start-up work (policy parsing, planning). {@code beforeDowncall} runs
         * on that thread after the linker and the symbol are ready and before the downcall handle,
         * the restricted call, is made (the caller grants native access there). Starting names no
         * FFM type, so the caller's thread loads none of them. {@link #await()} returns the
         * linked instance.
         */
        public static Linking start(Runnable beforeDowncall) {
            Linking linking = new Linking(beforeDowncall);
            Thread thread = new Thread(linking, "landlock-agent-ffm-link");
            thread.setDaemon(true);
            thread.start();
            return linking;
        }

        private Linking(Runnable beforeDowncall) {
            this.beforeDowncall = beforeDowncall;
        }

        @Override
        public void run() {
            LinuxSyscalls linked = null;
            Throwable error = null;
            try {
                linked = new LinuxSyscalls(Arch.current(), beforeDowncall);
                linked.landlockQuery(1); // the first call links the invoker too
            } catch (SyscallException expected) {
                // no Landlock: the caller's own query reports it
            } catch (Throwable t) {
                error = t;
            }
            synchronized (this) {
                result = linked;
                failure = error;
                done = true;
                notifyAll();
            }
        }

        /**
         * For the thread that will make the calls, while the link runs: the first 64-bit store
         * into native memory makes the JDK's VarHandle for it (~7 ms on a cold JVM), cached in
         * the layout; made here, it is off the path from the link to the first rule.
         */
        public void warmUpMemoryAccess() {
            MemorySegment scratch = Arena.ofAuto().allocate(8, 8);
            scratch.set(U64, 0, scratch.get(U64, 0) + 1);
        }

        /** Whether the link has finished (or failed): {@link #await()} would not wait. */
        public synchronized boolean isDone() {
            return done;
        }

        /** Waits for the link; rethrows what linking threw. */
        public synchronized LinuxSyscalls await() {
            boolean interrupted = false;
            while (!done) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error err) {
                throw err;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            return result;
        }
    }

    @Override
    public Arch arch() {
        return arch;
    }

    private synchronized long call(String name, long nr, long a0, long a1, long a2, long a3, long a4)
            throws SyscallException {
        long result;
        try {
            result = (long) syscall.invokeExact(callState, nr, a0, a1, a2, a3, a4, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("downcall to syscall(2) failed for " + name, t);
        }
        if (result == -1) {
            // Not the layout's errno VarHandle: making it spins ~15 ms of method handles on a cold
            // JVM, and the first JVM's first failed call (a missing baseline path) is on its critical path.
            throw new SyscallException(name, (int) (callState.get(U64, errnoWord) >>> errnoShift));
        }
        return result;
    }

    @Override
    public int landlockQuery(int flags) throws SyscallException {
        return (int) call("landlock_create_ruleset", arch.landlockCreateRuleset, 0, 0, flags, 0, 0);
    }

    @Override
    public synchronized int landlockCreateRuleset(long handledAccessFs, long handledAccessNet, long scoped,
                                                  int attrSize) throws SyscallException {
        if (attrSize <= 0 || attrSize > 48 || attrSize % 8 != 0) {
            throw new IllegalArgumentException("ruleset attribute size " + attrSize);
        }
        // struct landlock_ruleset_attr: u64 handled_access_fs @0, handled_access_net @8, scoped @16, quiet_* @24..40.
        for (long off = 0; off < 48; off += 8) {
            attr.set(U64, off, 0L);
        }
        attr.set(U64, 0, handledAccessFs);
        attr.set(U64, 8, handledAccessNet);
        attr.set(U64, 16, scoped);
        return (int) call("landlock_create_ruleset", arch.landlockCreateRuleset, attr.address(), attrSize, 0, 0, 0);
    }

    @Override
    public synchronized void landlockAddPathBeneath(int rulesetFd, long allowedAccess, int parentFd)
            throws SyscallException {
        // Packed struct landlock_path_beneath_attr: u64 allowed_access @0, s32 parent_fd @8 (12 bytes).
        attr.set(U64, 0, allowedAccess);
        attr.set(U64, 8, parentFd & 0xFFFF_FFFFL);
        call("landlock_add_rule", arch.landlockAddRule, rulesetFd, LANDLOCK_RULE_PATH_BENEATH, attr.address(), 0, 0);
    }

    @Override
    public synchronized void landlockAddNetPort(int rulesetFd, long allowedAccess, long port) throws SyscallException {
        // struct landlock_net_port_attr: u64 allowed_access @0, u64 port @8.
        attr.set(U64, 0, allowedAccess);
        attr.set(U64, 8, port);
        call("landlock_add_rule", arch.landlockAddRule, rulesetFd, LANDLOCK_RULE_NET_PORT, attr.address(), 0, 0);
    }

    @Override
    public void landlockRestrictSelf(int rulesetFd, int flags) throws SyscallException {
        call("landlock_restrict_self", arch.landlockRestrictSelf, rulesetFd, flags, 0, 0, 0);
    }

    @Override
    public void setNoNewPrivs() throws SyscallException {
        call("prctl", arch.prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    }

    @Override
    public int openPath(String pathname) throws SyscallException {
        return openat(pathname, O_PATH | O_CLOEXEC);
    }

    @Override
    public int openReadWrite(String pathname) throws SyscallException {
        return openat(pathname, O_RDWR | O_CLOEXEC);
    }

    private synchronized int openat(String pathname, long flags) throws SyscallException {
        putPath("openat", pathname);
        return (int) call("openat", arch.openat, AT_FDCWD, path.address(), flags, 0, 0);
    }

    /** The path argument, in {@link #path}. */
    private void putPath(String syscall, String pathname) throws SyscallException {
        byte[] bytes = pathname.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= PATH_BUFFER - 8) {
            throw new SyscallException(syscall, Errno.ENAMETOOLONG.number());
        }
        putCString(path, 0, bytes);
    }

    @Override
    public void replaceDescriptor(int source, int target) throws SyscallException {
        call("dup3", arch.table.number("dup3"), source, target, O_CLOEXEC, 0, 0);
    }

    @Override
    public synchronized int[] pipe() throws SyscallException {
        attr.set(U64, 0, 0L);
        call("pipe2", arch.table.number("pipe2"), attr.address(), O_CLOEXEC | O_NONBLOCK, 0, 0, 0);
        long fds = attr.get(U64, 0); // int fds[2], little-endian: the read end in the low half
        return new int[] {(int) fds, (int) (fds >>> 32)};
    }

    @Override
    public int write(int fd, byte[] data) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = cString(arena, data);
            return (int) call("write", arch.table.number("write"), fd, buffer.address(), data.length, 0, 0);
        }
    }

    @Override
    public void inheritAs(int source, int target) throws SyscallException {
        if (source == target) {
            call("fcntl", arch.fcntl, target, F_SETFD, 0, 0, 0);
        } else {
            call("dup3", arch.table.number("dup3"), source, target, 0, 0, 0);
        }
    }

    @Override
    public void close(int fd) throws SyscallException {
        call("close", arch.close, fd, 0, 0, 0, 0);
    }

    @Override
    public void seccompSetFilter(List<SockFilter> program, int flags) throws SyscallException {
        if (seccomp(program, flags) != 0) {
            // With SECCOMP_FILTER_FLAG_TSYNC, a positive result is the thread that could not be synchronised.
            throw new SyscallException("seccomp", Errno.ESRCH.number());
        }
    }

    @Override
    public int seccompListener(List<SockFilter> program) throws SyscallException {
        return (int) seccomp(program, Bpf.SECCOMP_FILTER_FLAG_TSYNC | Bpf.SECCOMP_FILTER_FLAG_NEW_LISTENER
                | Bpf.SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
    }

    @Override
    public void setPtracer(long pid) throws SyscallException {
        call("prctl", arch.prctl, PR_SET_PTRACER, pid, 0, 0, 0);
    }

    private long seccomp(List<SockFilter> program, int flags) throws SyscallException {
        if (program.isEmpty() || program.size() > SockFilter.BPF_MAXINSNS) {
            throw new IllegalArgumentException("seccomp program of " + program.size() + " instructions");
        }
        try (Arena arena = Arena.ofConfined()) {
            // struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}: one little-endian u64 per instruction.
            MemorySegment filters = arena.allocate((long) program.size() * SockFilter.SIZE, 8);
            for (int i = 0; i < program.size(); i++) {
                SockFilter f = program.get(i);
                long insn = (f.code() & 0xFFFFL) | ((long) (f.jt() & 0xFF) << 16) | ((long) (f.jf() & 0xFF) << 24)
                        | ((f.k() & 0xFFFF_FFFFL) << 32);
                filters.set(U64, (long) i * SockFilter.SIZE, insn);
            }
            // struct sock_fprog {u16 len; (padding); struct sock_filter *filter}.
            MemorySegment fprog = arena.allocate(16, 8);
            fprog.set(U64, 0, program.size());
            fprog.set(U64, 8, filters.address());
            return call("seccomp", arch.seccomp, SECCOMP_SET_MODE_FILTER, flags, fprog.address(), 0, 0);
        }
    }

    @Override
    public void closeOnExecFrom(int lowestFd) throws SyscallException {
        call("close_range", arch.closeRange, lowestFd, 0xFFFF_FFFFL, CLOSE_RANGE_CLOEXEC, 0, 0);
    }

    @Override
    public void setCloseOnExec(int fd) throws SyscallException {
        call("fcntl", arch.fcntl, fd, F_SETFD, FD_CLOEXEC, 0, 0);
    }

    @Override
    public synchronized long[] capget() throws SyscallException {
        // struct __user_cap_header_struct {u32 version; int pid} @0; two __user_cap_data_struct
        // {u32 effective, permitted, inheritable} @8 (the low and the high 32 capabilities).
        for (long off = 0; off < 32; off += 8) {
            attr.set(U64, off, 0L);
        }
        attr.set(U64, 0, LINUX_CAPABILITY_VERSION_3);
        call("capget", arch.capget, attr.address(), attr.address() + 8, 0, 0, 0);
        long w1 = attr.get(U64, 8);   // eff[0], perm[0]
        long w2 = attr.get(U64, 16);  // inh[0], eff[1]
        long w3 = attr.get(U64, 24);  // perm[1], inh[1]
        long effective = (w1 & 0xFFFF_FFFFL) | (w2 & 0xFFFF_FFFF_0000_0000L);
        long permitted = (w1 >>> 32) | (w3 << 32);
        long inheritable = (w2 & 0xFFFF_FFFFL) | (w3 & 0xFFFF_FFFF_0000_0000L);
        return new long[] {effective, permitted, inheritable};
    }

    @Override
    public synchronized void capset(long effective, long permitted, long inheritable) throws SyscallException {
        attr.set(U64, 0, LINUX_CAPABILITY_VERSION_3);
        attr.set(U64, 8, (effective & 0xFFFF_FFFFL) | (permitted << 32));
        attr.set(U64, 16, (inheritable & 0xFFFF_FFFFL) | (effective & 0xFFFF_FFFF_0000_0000L));
        attr.set(U64, 24, (permitted >>> 32) | (inheritable & 0xFFFF_FFFF_0000_0000L));
        call("capset", arch.capset, attr.address(), attr.address() + 8, 0, 0, 0);
    }

    @Override
    public void dropBoundingCapability(int cap) throws SyscallException {
        call("prctl PR_CAPBSET_DROP", arch.prctl, PR_CAPBSET_DROP, cap, 0, 0, 0);
    }

    @Override
    public void clearAmbientCapabilities() throws SyscallException {
        call("prctl PR_CAP_AMBIENT", arch.prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    }

    @Override
    public void raiseAmbientCapability(int cap) throws SyscallException {
        call("prctl PR_CAP_AMBIENT", arch.prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
    }

    @Override
    public void unshareMountNamespace() throws SyscallException {
        call("unshare", arch.table.number("unshare"), CLONE_NEWNS, 0, 0, 0, 0);
    }

    @Override
    public void mount(String source, String target, long flags) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            long src = source == null ? 0 : cString(arena, source.getBytes(StandardCharsets.UTF_8)).address();
            MemorySegment dst = cString(arena, target.getBytes(StandardCharsets.UTF_8));
            call("mount", arch.table.number("mount"), src, dst.address(), 0, flags, 0);
        }
    }

    @Override
    public synchronized void mountSetattr(String pathname, int atFlags, long attrSet, long attrClr) throws SyscallException {
        putPath("mount_setattr", pathname);
        // struct mount_attr {u64 attr_set, attr_clr, propagation, userns_fd}: MOUNT_ATTR_SIZE_VER0, 32 bytes.
        attr.set(U64, 0, attrSet);
        attr.set(U64, 8, attrClr);
        attr.set(U64, 16, 0L);
        attr.set(U64, 24, 0L);
        call("mount_setattr", arch.table.number("mount_setattr"), AT_FDCWD, path.address(), atFlags, attr.address(), 32);
    }

    @Override
    public void chdir(String pathname) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = cString(arena, pathname.getBytes(StandardCharsets.UTF_8));
            call("chdir", arch.table.number("chdir"), p.address(), 0, 0, 0, 0);
        }
    }

    @Override
    public void execve(String pathname, List<byte[]> argv, List<byte[]> environment) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = cString(arena, pathname.getBytes(StandardCharsets.UTF_8));
            MemorySegment cArgv = pointerArray(arena, argv);
            MemorySegment cEnv = pointerArray(arena, environment);
            call("execve", arch.execve, cPath.address(), cArgv.address(), cEnv.address(), 0, 0);
            throw new SyscallException("execve", Errno.EINVAL.number()); // execve returns only on error
        }
    }

    private static MemorySegment pointerArray(Arena arena, List<byte[]> strings) {
        MemorySegment array = arena.allocate(8L * (strings.size() + 1), 8);
        for (int i = 0; i < strings.size(); i++) {
            array.set(U64, 8L * i, cString(arena, strings.get(i)).address());
        }
        array.set(U64, 8L * strings.size(), 0L);
        return array;
    }

    private static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate((bytes.length + 8) & ~7L, 8);
        putCString(s, 0, bytes);
        return s;
    }

    /** Writes {@code bytes} and a NUL at {@code offset} (8-aligned), 8 bytes at a time, little-endian. */
    private static void putCString(MemorySegment s, long offset, byte[] bytes) {
        int words = bytes.length / 8 + 1; // the last word holds the NUL
        for (int w = 0; w < words; w++) {
            long v = 0;
            for (int b = 0; b < 8; b++) {
                int i = w * 8 + b;
                if (i < bytes.length) {
                    v |= (bytes[i] & 0xFFL) << (8 * b);
                }
            }
            s.set(U64, offset + 8L * w, v);
        }
    }
}
