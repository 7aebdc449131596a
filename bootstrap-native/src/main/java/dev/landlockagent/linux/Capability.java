package dev.landlockagent.linux;

import java.util.ArrayList;
import java.util.List;

/**
 * The Linux capabilities, numbered as in {@code include/uapi/linux/capability.h}, named as a policy
 * writes them: lower case, without {@code CAP_}.
 */
public enum Capability {
    CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, LINUX_IMMUTABLE,
    NET_BIND_SERVICE, NET_BROADCAST, NET_ADMIN, NET_RAW, IPC_LOCK, IPC_OWNER, SYS_MODULE, SYS_RAWIO, SYS_CHROOT,
    SYS_PTRACE, SYS_PACCT, SYS_ADMIN, SYS_BOOT, SYS_NICE, SYS_RESOURCE, SYS_TIME, SYS_TTY_CONFIG, MKNOD, LEASE,
    AUDIT_WRITE, AUDIT_CONTROL, SETFCAP, MAC_OVERRIDE, MAC_ADMIN, SYSLOG, WAKE_ALARM, BLOCK_SUSPEND, AUDIT_READ,
    PERFMON, BPF, CHECKPOINT_RESTORE;

    /** The capability's number: its bit in the kernel's 64-bit sets. */
    public int number() {
        return ordinal();
    }

    public long mask() {
        return 1L << ordinal();
    }

    /** As a policy writes it: {@code net_bind_service}. */
    public String policyName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** As the kernel's headers and man pages name it: {@code CAP_NET_BIND_SERVICE}. */
    public String kernelName() {
        return "CAP_" + name();
    }

    /** {@code net_bind_service}, {@code NET_BIND_SERVICE} or {@code CAP_NET_BIND_SERVICE}, in any case; or null. */
    public static Capability byName(String name) {
        String n = name.toUpperCase(java.util.Locale.ROOT);
        if (n.startsWith("CAP_")) {
            n = n.substring(4);
        }
        for (Capability c : values()) {
            if (c.name().equals(n)) {
                return c;
            }
        }
        return null;
    }

    /** The capabilities in a 64-bit set, known ones by name and others as {@code cap_<n>}. */
    public static List<String> names(long set) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((set & (1L << bit)) != 0) {
                out.add(bit < values().length ? values()[bit].policyName() : "cap_" + bit);
            }
        }
        return out;
    }
}
