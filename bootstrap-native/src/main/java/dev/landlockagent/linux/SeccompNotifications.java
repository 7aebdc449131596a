package dev.landlockagent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The supervisor's side of seccomp user notification ({@code include/uapi/linux/seccomp.h},
 * Linux 5.0; {@code SECCOMP_USER_NOTIF_FLAG_CONTINUE} 5.5, {@code pidfd_getfd} 5.6): take the
 * listener from the supervised process, wait for a syscall, read it, and let it continue. Unlike
 * {@link LinuxSyscalls} it is used in its own process (a learn run's supervisor), off every JVM's
 * start-up path, and from several threads: each call allocates its own memory.
 */
public final class SeccompNotifications {
    /** {@code struct seccomp_notif}: u64 id, u32 pid, u32 flags, struct seccomp_data (64 bytes). */
    private static final int NOTIF_SIZE = 80;
    /** {@code struct seccomp_notif_resp}: u64 id, s64 val, s32 error, u32 flags. */
    private static final int RESP_SIZE = 24;
    /** {@code _IOWR('!', 0, struct seccomp_notif)}. */
    private static final long IOCTL_NOTIF_RECV = 0xC0000000L | ((long) NOTIF_SIZE << 16) | 0x2100;
    /** {@code _IOWR('!', 1, struct seccomp_notif_resp)}. */
    private static final long IOCTL_NOTIF_SEND = 0xC0000000L | ((long) RESP_SIZE << 16) | 0x2101;
    private static final long USER_NOTIF_FLAG_CONTINUE = 1;
    private static final short POLLIN = 0x1;
    private static final int POLLHUP = 0x10;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;

    /** One syscall a supervised thread waits in: its notification id, thread, number and arguments. */
    public record Notification(long id, int tid, int nr, int auditArch, long instructionPointer, long[] args) {
    }

    private final Arch arch;
    private final MethodHandle syscall;
    private final StructLayout stateLayout;
    private final long errnoOffset;
    private final int ioctl;
    private final int ppoll;

    private SeccompNotifications(Arch arch) {
        this.arch = arch;
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find("syscall")
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no syscall(2)"));
        this.syscall = linker.downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        this.stateLayout = Linker.Option.captureStateLayout();
        this.errnoOffset = stateLayout.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
        this.ioctl = arch.table.number("ioctl");
        this.ppoll = arch.table.number("ppoll");
    }

    public static SeccompNotifications link() {
        return new SeccompNotifications(Arch.current());
    }

    public Arch arch() {
        return arch;
    }

    private long call(Arena arena, String name, long nr, long a0, long a1, long a2, long a3, long a4) throws SyscallException {
        MemorySegment state = arena.allocate(stateLayout);
        long result;
        try {
            result = (long) syscall.invokeExact(state, nr, a0, a1, a2, a3, a4, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("downcall to syscall(2) failed for " + name, t);
        }
        if (result == -1) {
            throw new SyscallException(name, state.get(ValueLayout.JAVA_INT, errnoOffset));
        }
        return result;
    }

    /** {@code pidfd_open(pid, 0)}. */
    public int pidfdOpen(long pid) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            return (int) call(arena, "pidfd_open", arch.table.number("pidfd_open"), pid, 0, 0, 0, 0);
        }
    }

    /** {@code pidfd_getfd(pidfd, fd, 0)}: a copy of another process's descriptor (needs ptrace access to it). */
    public int pidfdGetfd(int pidfd, int fd) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            return (int) call(arena, "pidfd_getfd", arch.table.number("pidfd_getfd"), pidfd, fd, 0, 0, 0);
        }
    }

    /**
     * Waits up to {@code millis} for the listener: true when a notification is ready. Throws
     * {@link Closed} once no process uses the filter any more (POLLHUP): every supervised process
     * has ended.
     */
    public boolean await(int listener, long millis) throws SyscallException, Closed {
        try (Arena arena = Arena.ofConfined()) {
            // struct pollfd {int fd; short events; short revents} as one u64; struct timespec.
            MemorySegment pollfd = arena.allocate(8, 8);
            pollfd.set(U64, 0, (listener & 0xFFFF_FFFFL) | ((long) POLLIN << 32));
            MemorySegment timeout = arena.allocate(16, 8);
            timeout.set(U64, 0, millis / 1000);
            timeout.set(U64, 8, (millis % 1000) * 1_000_000);
            long n;
            try {
                n = call(arena, "ppoll", ppoll, pollfd.address(), 1, timeout.address(), 0, 8);
            } catch (SyscallException e) {
                if (e.is(Errno.EINTR)) {
                    return false;
                }
                throw e;
            }
            if (n == 0) {
                return false;
            }
            int revents = (int) ((pollfd.get(U64, 0) >>> 48) & 0xFFFF);
            if ((revents & POLLIN) != 0) {
                return true;
            }
            if ((revents & POLLHUP) != 0) {
                throw new Closed();
            }
            return false;
        }
    }

    /** Every process the filter supervised has ended. */
    public static final class Closed extends Exception {
        public Closed() {
            super("no process uses the filter any more", null, false, false);
        }
    }

    /** {@code SECCOMP_IOCTL_NOTIF_RECV}: the next waiting syscall. ENOENT: its thread ended meanwhile. */
    public Notification receive(int listener) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(NOTIF_SIZE, 8); // zeroed, as the kernel requires
            call(arena, "ioctl(SECCOMP_IOCTL_NOTIF_RECV)", ioctl, listener, IOCTL_NOTIF_RECV, n.address(), 0, 0);
            long[] args = new long[6];
            for (int i = 0; i < 6; i++) {
                args[i] = n.get(U64, 32 + 8L * i);
            }
            long pidAndFlags = n.get(U64, 8);
            long nrAndArch = n.get(U64, 16);
            return new Notification(n.get(U64, 0), (int) pidAndFlags, (int) nrAndArch, (int) (nrAndArch >>> 32),
                    n.get(U64, 24), args);
        }
    }

    /**
     * {@code SECCOMP_IOCTL_NOTIF_SEND} with {@code SECCOMP_USER_NOTIF_FLAG_CONTINUE}: the kernel runs
     * the syscall as if no filter had stopped it. A thread that ended meanwhile (ENOENT) is no error.
     */
    public void proceed(int listener, long id) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(RESP_SIZE, 8);
            r.set(U64, 0, id);
            r.set(U64, 16, USER_NOTIF_FLAG_CONTINUE << 32);
            try {
                call(arena, "ioctl(SECCOMP_IOCTL_NOTIF_SEND)", ioctl, listener, IOCTL_NOTIF_SEND, r.address(), 0, 0);
            } catch (SyscallException e) {
                if (!e.is(Errno.ENOENT)) {
                    throw e;
                }
            }
        }
    }

    /** {@code getsockopt(fd, level, option)} of an int option. */
    public int socketOption(int fd, int level, int option) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(8, 8);
            MemorySegment length = arena.allocate(8, 8);
            length.set(U64, 0, 4);
            call(arena, "getsockopt", arch.table.number("getsockopt"), fd, level, option, value.address(), length.address());
            return (int) value.get(U64, 0);
        }
    }

    /** {@code close(fd)}. */
    public void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, "close", arch.close, fd, 0, 0, 0, 0);
        } catch (SyscallException e) {
            // already closed
        }
    }
}
