package dev.landlockagent.landlock;

/** Landlock's network access rights ({@code LANDLOCK_ACCESS_NET_*}), each with the ABI that introduced it. */
public enum AccessNet {
    BIND_TCP(0, 4),
    CONNECT_TCP(1, 4),
    BIND_UDP(2, 10),
    CONNECT_SEND_UDP(3, 10);

    private final int bit;
    private final int sinceAbi;

    AccessNet(int bit, int sinceAbi) {
        this.bit = bit;
        this.sinceAbi = sinceAbi;
    }

    public long mask() {
        return 1L << bit;
    }

    public int sinceAbi() {
        return sinceAbi;
    }

    public String kernelName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
