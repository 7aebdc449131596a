package dev.landlockagent.plan;

import java.util.List;

/**
 * Which sockets the JVM may create. In {@link Mode#ALLOW_LIST} mode only the {@code allowed} kinds;
 * in {@link Mode#UNRESTRICTED} mode everything but the {@code denied} kinds (the protocols that
 * bypass Landlock's TCP port rules). {@link #allows} is the reference semantics that every backend
 * (today the seccomp filter) must implement.
 */
public record SocketPlan(Mode mode, List<SocketKind> allowed, List<SocketKind> denied,
                         List<SocketKind> socketpairOnly, boolean denyIoUring) {
    public enum Mode {
        UNRESTRICTED, ALLOW_LIST
    }

    public static final SocketPlan UNRESTRICTED = new SocketPlan(Mode.UNRESTRICTED, List.of(), List.of(), List.of(), false);

    /**
     * What the JVM itself needs from socketpair(2): the JDK's NIO creates an AF_UNIX stream pair
     * when sun.nio.ch.UnixDispatcher initialises (its "pre-close" descriptor), and every socket
     * class depends on it. A connected anonymous pair reaches nothing outside the process.
     */
    public static final List<SocketKind> JVM_SOCKETPAIRS =
            List.of(new SocketKind(1, 1, 0, "jvm baseline: the JDK's NIO pre-close socketpair"));

    /** Whether socket(2) or socketpair(2) with these arguments is allowed. */
    public boolean allows(int domain, int type, int protocol) {
        if (mode == Mode.UNRESTRICTED) {
            for (SocketKind k : denied) {
                if (k.matches(domain, type, protocol)) {
                    return false;
                }
            }
            return true;
        }
        for (SocketKind k : allowed) {
            if (k.matches(domain, type, protocol)) {
                return true;
            }
        }
        return false;
    }

    /** Whether socketpair(2) with these arguments is allowed: the socket rules, plus {@link #socketpairOnly}. */
    public boolean allowsSocketpair(int domain, int type, int protocol) {
        for (SocketKind k : socketpairOnly) {
            if (k.matches(domain, type, protocol)) {
                return true;
            }
        }
        return allows(domain, type, protocol);
    }

    /** The allowed kind that matches, for explanations; null if none. */
    public SocketKind allowing(int domain, int type, int protocol) {
        for (SocketKind k : allowed) {
            if (k.matches(domain, type, protocol)) {
                return k;
            }
        }
        return null;
    }

    public boolean restrictsCreation() {
        return mode == Mode.ALLOW_LIST || !denied.isEmpty();
    }
}
