package dev.landlockagent.linux;

/**
 * Classic BPF opcodes ({@code include/uapi/linux/bpf_common.h}) and the seccomp constants a filter
 * uses ({@code include/uapi/linux/seccomp.h}).
 */
public final class Bpf {
    private Bpf() {
    }

    // Instruction classes and modes.
    public static final int LD = 0x00;
    public static final int ALU = 0x04;
    public static final int JMP = 0x05;
    public static final int RET = 0x06;
    public static final int W = 0x00;
    public static final int ABS = 0x20;
    public static final int K = 0x00;
    // ALU and jump operations.
    public static final int AND = 0x50;
    public static final int JA = 0x00;
    public static final int JEQ = 0x10;
    public static final int JGE = 0x30;
    public static final int JSET = 0x40;

    // struct seccomp_data: int nr @0, u32 arch @4, u64 instruction_pointer @8, u64 args[6] @16.
    public static final int DATA_NR = 0;
    public static final int DATA_ARCH = 4;

    /** Offset of the low 32 bits of syscall argument {@code i} (little-endian on x86_64 and aarch64). */
    public static int argLow(int i) {
        return 16 + 8 * i;
    }

    /** Offset of the high 32 bits of syscall argument {@code i}. */
    public static int argHigh(int i) {
        return 16 + 8 * i + 4;
    }

    // Filter return values.
    public static final int SECCOMP_RET_KILL_PROCESS = 0x8000_0000;
    public static final int SECCOMP_RET_ERRNO = 0x0005_0000;
    public static final int SECCOMP_RET_ALLOW = 0x7fff_0000;
    /** Linux 5.0: the syscall waits for the filter's listener, a supervisor process, to answer. */
    public static final int SECCOMP_RET_USER_NOTIF = 0x7fc0_0000;
    /** errno values are capped at MAX_ERRNO by the kernel. */
    public static final int MAX_ERRNO = 4095;

    // seccomp(2) operation and flags.
    public static final int SECCOMP_FILTER_FLAG_TSYNC = 1;
    /**
     * Linux 4.17: installing the filter does not force the Speculative Store Bypass mitigation
     * (SSBD) on the process. Kernels before 5.16 default to forcing it on every seccomp-filtered
     * process (spec_store_bypass_disable=seccomp), which slows all of the JVM's code; 5.16 made
     * "prctl" the default for the same reason. See docs/security.md.
     */
    public static final int SECCOMP_FILTER_FLAG_SPEC_ALLOW = 1 << 2;
    /** Linux 5.0: seccomp(2) returns the descriptor of the filter's user-notification listener. */
    public static final int SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;
    /** Linux 5.7: a TSYNC failure is ESRCH, so that TSYNC and NEW_LISTENER can be combined. */
    public static final int SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 1 << 4;
}
