package dev.landlockagent.it.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * What hostile or just low-level application code can do through FFM: call socket(2) and friends
 * directly, and run machine code that enters the kernel through other syscall ABIs. Returns the
 * result, or {@code -errno}.
 */
final class NativeCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = handle("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SOCKETPAIR = handle("socketpair", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle SYSCALL2 = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final MethodHandle MMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));

    private NativeCalls() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, Linker.Option.captureCallState("errno"));
    }

    static int socket(int domain, int type, int protocol) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            int fd = (int) SOCKET.invokeExact(state, domain, type, protocol);
            return fd >= 0 ? fd : -(int) ERRNO.get(state, 0L);
        }
    }

    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle READ = handle("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SYSCALL4 = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final MethodHandle SYSCALL_ADDR = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    /** open(path, O_RDONLY): a descriptor or -errno. */
    static int open(String path, int flags) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags);
            return fd >= 0 ? fd : -(int) ERRNO.get(state, 0L);
        }
    }

    /** read(fd, buf, max): the bytes read, or null with the errno in the exception message. */
    static byte[] read(int fd, int max) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment buf = arena.allocate(max);
            long n = (long) READ.invokeExact(state, fd, buf, (long) max);
            if (n < 0) {
                throw new java.io.IOException("read(" + fd + "): errno " + (int) ERRNO.get(state, 0L));
            }
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    static void close(int fd) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(STATE), fd);
        }
    }

    /** A raw syscall with up to four integer arguments: the result or -errno. */
    static long syscall(long nr, long a, long b, long c, long d) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            long r = (long) SYSCALL4.invokeExact(state, nr, a, b, c, d);
            return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
        }
    }

    private static final MethodHandle SYSCALL6 = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    /**
     * A raw syscall with up to six arguments, each a Number (passed as is), a String (passed as a
     * NUL-terminated copy) or a byte[] (passed as a zero-padded copy of at least 256 bytes): the
     * result or -errno.
     */
    static long call(long nr, Object... args) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            long[] a = new long[6];
            for (int i = 0; i < args.length; i++) {
                Object o = args[i];
                if (o instanceof Number n) {
                    a[i] = n.longValue();
                } else if (o instanceof String str) {
                    a[i] = arena.allocateFrom(str).address();
                } else if (o instanceof byte[] bytes) {
                    MemorySegment m = arena.allocate(Math.max(256, bytes.length), 8);
                    MemorySegment.copy(bytes, 0, m, ValueLayout.JAVA_BYTE, 0, bytes.length);
                    a[i] = m.address();
                } else {
                    throw new IllegalArgumentException(String.valueOf(o));
                }
            }
            MemorySegment state = arena.allocate(STATE);
            long r = (long) SYSCALL6.invokeExact(state, nr, a[0], a[1], a[2], a[3], a[4], a[5]);
            return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
        }
    }

    /** connect(2) or bind(2) (x86_64 42 / 49) of a fresh socket to an address: 0 or -errno. */
    static long sockaddrCall(long nr, int fd, byte[] sockaddr) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment addr = arena.allocate(sockaddr.length);
            MemorySegment.copy(sockaddr, 0, addr, ValueLayout.JAVA_BYTE, 0, sockaddr.length);
            long r = (long) SYSCALL_ADDR.invokeExact(state, nr, (long) fd, addr, (long) sockaddr.length);
            return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
        }
    }

    /** What {@link #receiveDescriptor} returns when the byte came without a descriptor. */
    static final long NO_DESCRIPTOR = Long.MIN_VALUE;

    /**
     * recvmsg(2) of one byte with room for one SCM_RIGHTS descriptor (struct msghdr and cmsghdr
     * as on LP64): the descriptor received, {@link #NO_DESCRIPTOR}, or -errno.
     */
    static long receiveDescriptor(long nrRecvmsg, int fd) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment control = arena.allocate(64, 8);
            MemorySegment msg = oneByteMessage(arena, arena.allocate(8, 8), control);
            long r = (long) SYSCALL_ADDR.invokeExact(state, nrRecvmsg, (long) fd, msg, 0L);
            if (r < 0) {
                return -(int) ERRNO.get(state, 0L);
            }
            long controlLength = msg.get(ValueLayout.JAVA_LONG, 40);
            // cmsghdr: size_t cmsg_len, int cmsg_level (SOL_SOCKET 1), int cmsg_type (SCM_RIGHTS 1), data
            if (controlLength >= 20 && control.get(ValueLayout.JAVA_INT, 8) == 1 && control.get(ValueLayout.JAVA_INT, 12) == 1) {
                return control.get(ValueLayout.JAVA_INT, 16);
            }
            return NO_DESCRIPTOR;
        }
    }

    /** A struct msghdr (LP64: iov @16, iovlen @24, control @32, controllen @40) for one byte of {@code data}. */
    private static MemorySegment oneByteMessage(Arena arena, MemorySegment data, MemorySegment control) {
        MemorySegment iov = arena.allocate(16, 8);
        iov.set(ValueLayout.JAVA_LONG, 0, data.address());
        iov.set(ValueLayout.JAVA_LONG, 8, 1L);
        MemorySegment msg = arena.allocate(56, 8);
        msg.set(ValueLayout.JAVA_LONG, 16, iov.address());
        msg.set(ValueLayout.JAVA_LONG, 24, 1L);
        msg.set(ValueLayout.JAVA_LONG, 32, control.address());
        msg.set(ValueLayout.JAVA_LONG, 40, control.byteSize());
        return msg;
    }

    /** sendmsg(2) of one byte carrying descriptor {@code passed} as SCM_RIGHTS: bytes sent or -errno. */
    static long sendDescriptor(long nrSendmsg, int fd, int passed) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment data = arena.allocate(8, 8);
            data.set(ValueLayout.JAVA_BYTE, 0, (byte) 'x');
            MemorySegment control = arena.allocate(24, 8);
            control.set(ValueLayout.JAVA_LONG, 0, 20L);
            control.set(ValueLayout.JAVA_INT, 8, 1);
            control.set(ValueLayout.JAVA_INT, 12, 1);
            control.set(ValueLayout.JAVA_INT, 16, passed);
            MemorySegment msg = oneByteMessage(arena, data, control);
            long r = (long) SYSCALL_ADDR.invokeExact(state, nrSendmsg, (long) fd, msg, 0L);
            return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
        }
    }

    static int socketpair(int domain, int type, int protocol) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            int r = (int) SOCKETPAIR.invokeExact(state, domain, type, protocol, fds);
            return r >= 0 ? fds.getAtIndex(ValueLayout.JAVA_INT, 0) : -(int) ERRNO.get(state, 0L);
        }
    }

    /** io_uring_setup(1, &params): the ring's descriptor, or -errno. */
    static long ioUringSetup() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment params = arena.allocate(120, 8); // struct io_uring_params, zeroed
            long r = (long) SYSCALL2.invokeExact(state, 425L, 1L, params);
            return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
        }
    }

    /**
     * A page the i386 ABI can address. Not MAP_32BIT: that takes only [1 GiB, 2 GiB), which the
     * JVM's compressed heap or class space sometimes fills (mmap then fails with ENOMEM). Each
     * 256 MiB step below 4 GiB is tried with MAP_FIXED_NOREPLACE (Linux 4.17), which refuses a
     * taken address instead of replacing it.
     */
    private static MemorySegment below4GiB() throws Throwable {
        int mapPrivateAnonymousFixedNoReplace = 0x02 | 0x20 | 0x100000;
        for (long hint = 0x1000_0000L; hint < 0x1_0000_0000L; hint += 0x1000_0000L) {
            MemorySegment mem = (MemorySegment) MMAP.invokeExact(MemorySegment.ofAddress(hint), 4096L, 0x3,
                    mapPrivateAnonymousFixedNoReplace, -1, 0L);
            long at = mem.address();
            if (at != -1L && at != 0 && at + 4096 <= 0x1_0000_0000L) {
                return mem;
            }
        }
        throw new IllegalStateException("no free page below 4 GiB for the i386 socketcall arguments");
    }

    // x86_64 machine code. long f(long nr, long a, long b, long c):
    //   mov rax,rdi; mov rdi,rsi; mov rsi,rdx; mov rdx,rcx; syscall; ret
    private static final byte[] SYSCALL_64 = {0x48, (byte) 0x89, (byte) 0xf8, 0x48, (byte) 0x89, (byte) 0xf7,
        0x48, (byte) 0x89, (byte) 0xd6, 0x48, (byte) 0x89, (byte) 0xca, 0x0f, 0x05, (byte) 0xc3};
    //   push rbx; mov eax,edi; mov ebx,esi; mov r8,rcx; mov ecx,edx; mov edx,r8d; int 0x80;
    //   movsxd rax,eax; pop rbx; ret
    private static final byte[] INT80_32 = {0x53, (byte) 0x89, (byte) 0xf8, (byte) 0x89, (byte) 0xf3,
        0x49, (byte) 0x89, (byte) 0xc8, (byte) 0x89, (byte) 0xd1, 0x44, (byte) 0x89, (byte) 0xc2, (byte) 0xcd,
        (byte) 0x80, 0x48, 0x63, (byte) 0xc0, 0x5b, (byte) 0xc3};

    private static MethodHandle machineCode(byte[] code) throws Throwable {
        if (!System.getProperty("os.arch").equals("amd64")) {
            throw new UnsupportedOperationException("machine code for x86_64 only");
        }
        int protRwx = 0x7;
        int mapPrivateAnonymous = 0x02 | 0x20;
        MemorySegment mem = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, 4096L, protRwx, mapPrivateAnonymous, -1, 0L);
        if (mem.address() == -1L || mem.address() == 0) {
            throw new IllegalStateException("mmap of executable memory failed");
        }
        MemorySegment.copy(code, 0, mem.reinterpret(4096), ValueLayout.JAVA_BYTE, 0, code.length);
        return LINKER.downcallHandle(mem, FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    }

    /** socket(2) through the x32 ABI (syscall number with bit 30 set): the result or -errno. */
    static long x32Socket(int domain, int type, int protocol) throws Throwable {
        return (long) machineCode(SYSCALL_64).invokeExact(41L | 0x4000_0000L, (long) domain, (long) type, (long) protocol);
    }

    /** socket(2) through the i386 ABI (int 0x80, number 359) from this 64-bit process. */
    static long i386Socket(int domain, int type, int protocol) throws Throwable {
        return (long) machineCode(INT80_32).invokeExact(359L, (long) domain, (long) type, (long) protocol);
    }

    /** Any i386 syscall with three integer arguments, through int 0x80: the result or -errno. */
    static long i386(long nr, long a, long b, long c) throws Throwable {
        return (long) machineCode(INT80_32).invokeExact(nr, a, b, c);
    }

    /** open(path, O_RDONLY) through the i386 ABI (int 0x80, number 5); the path lives below 4 GiB. Closes what it opened. */
    static long i386Open(String path) throws Throwable {
        MemorySegment page = below4GiB();
        byte[] bytes = (path + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, page.reinterpret(4096), ValueLayout.JAVA_BYTE, 0, bytes.length);
        long fd = (long) machineCode(INT80_32).invokeExact(5L, page.address(), 0L, 0L);
        if (fd >= 0) {
            long closed = (long) machineCode(INT80_32).invokeExact(6L, fd, 0L, 0L);
        }
        return fd;
    }

    /** socketcall(SYS_SOCKET, args) through the i386 ABI; the arguments live below 4 GiB. */
    static long i386Socketcall(int domain, int type, int protocol) throws Throwable {
        MemorySegment args = below4GiB();
        MemorySegment a = args.reinterpret(12);
        a.set(ValueLayout.JAVA_INT, 0, domain);
        a.set(ValueLayout.JAVA_INT, 4, type);
        a.set(ValueLayout.JAVA_INT, 8, protocol);
        return (long) machineCode(INT80_32).invokeExact(102L, 1L, args.address(), 0L);
    }
}
