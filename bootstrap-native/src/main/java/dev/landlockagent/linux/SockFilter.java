package dev.landlockagent.linux;

/**
 * One classic-BPF instruction, {@code struct sock_filter} ({@code include/uapi/linux/filter.h}):
 * u16 code, u8 jt, u8 jf, u32 k; 8 bytes.
 */
public record SockFilter(int code, int jt, int jf, int k) {
    public static final int SIZE = 8;
    /** {@code BPF_MAXINSNS}: the kernel rejects longer programs. */
    public static final int BPF_MAXINSNS = 4096;

    public SockFilter {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("BPF code " + code);
        }
        if (jt < 0 || jt > 0xFF || jf < 0 || jf > 0xFF) {
            throw new IllegalArgumentException("BPF jump offsets " + jt + "/" + jf + " exceed 255");
        }
    }

    @Override
    public String toString() {
        return String.format("{0x%02x, %d, %d, 0x%08x}", code, jt, jf, k);
    }
}
