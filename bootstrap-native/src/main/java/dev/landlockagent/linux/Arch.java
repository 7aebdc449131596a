package dev.landlockagent.linux;

/**
 * The CPU architectures the agent supports, with their syscall numbers (kernel
 * {@code arch/x86/entry/syscalls/syscall_64.tbl}, {@code include/uapi/asm-generic/unistd.h}) and the
 * {@code AUDIT_ARCH_*} value seccomp reports for them. Each also names the one other syscall ABI a
 * process of that architecture can enter, which a seccomp filter must cover as well.
 */
public enum Arch {
    X86_64(0xC000003E, 444, 445, 446, 157, 317, 257, 3, 59, 17, 72, 436, 41, 53, 425, 125, 126,
            // x32: the same numbers with bit 30 set (syscall_64.tbl's common entries).
            0x4000_0000, SyscallTable.X86_64,
            // i386 through int 0x80 from a 64-bit process (syscall_32.tbl).
            new CompatAbi("i386", 0x40000003, 359, 360, 102, 425, SyscallTable.I386)),
    AARCH64(0xC00000B7, 444, 445, 446, 167, 277, 56, 57, 221, 67, 25, 436, 198, 199, 425, 90, 91,
            0, SyscallTable.AARCH64,
            // 32-bit ARM EABI processes (arch/arm/tools/syscall.tbl); ARM EABI has no socketcall.
            new CompatAbi("arm", 0x40000028, 281, 288, -1, 425, SyscallTable.ARM));

    /** A second syscall ABI reachable from this architecture, with the numbers the filter checks. */
    public record CompatAbi(String name, int auditArch, int socket, int socketpair, int socketcall,
                            int ioUringSetup, SyscallTable table) {
        /** socketcall(2) sub-call numbers ({@code include/uapi/linux/net.h}). */
        public static final int SYS_SOCKET = 1;
        public static final int SYS_SOCKETPAIR = 8;
        public static final int SYS_BIND = 2;
        public static final int SYS_LISTEN = 4;
    }

    public final int auditArch;
    public final int landlockCreateRuleset;
    public final int landlockAddRule;
    public final int landlockRestrictSelf;
    public final int prctl;
    public final int seccomp;
    public final int openat;
    public final int close;
    public final int execve;
    public final int pread64;
    public final int fcntl;
    public final int closeRange;
    public final int socket;
    public final int socketpair;
    public final int ioUringSetup;
    public final int capget;
    public final int capset;
    /** Bit that marks an x32 syscall number, or 0 where there is no such ABI. */
    public final int x32SyscallBit;
    /** The numbers of the other calls the seccomp filter names. */
    public final SyscallTable table;
    public final CompatAbi compat;

    Arch(int auditArch, int landlockCreateRuleset, int landlockAddRule, int landlockRestrictSelf,
         int prctl, int seccomp, int openat, int close, int execve, int pread64, int fcntl,
         int closeRange, int socket, int socketpair, int ioUringSetup, int capget, int capset,
         int x32SyscallBit, SyscallTable table, CompatAbi compat) {
        this.auditArch = auditArch;
        this.landlockCreateRuleset = landlockCreateRuleset;
        this.landlockAddRule = landlockAddRule;
        this.landlockRestrictSelf = landlockRestrictSelf;
        this.prctl = prctl;
        this.seccomp = seccomp;
        this.openat = openat;
        this.close = close;
        this.execve = execve;
        this.pread64 = pread64;
        this.fcntl = fcntl;
        this.closeRange = closeRange;
        this.socket = socket;
        this.socketpair = socketpair;
        this.ioUringSetup = ioUringSetup;
        this.capget = capget;
        this.capset = capset;
        this.x32SyscallBit = x32SyscallBit;
        this.table = table;
        this.compat = compat;
    }

    /** The architecture this JVM runs on, from {@code os.arch}. */
    public static Arch current() {
        String osArch = System.getProperty("os.arch", "");
        return switch (osArch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> throw new UnsupportedOperationException(
                    "landlock-agent supports x86_64 and aarch64; this JVM runs on " + osArch);
        };
    }
}
