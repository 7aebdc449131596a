package dev.landlockagent.policy;

import dev.landlockagent.landlock.Scope;
import dev.landlockagent.linux.Capability;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A validated policy (version 1): an allow-list of what the JVM may do. Whatever it does not allow
 * is denied, apart from the JVM baseline when {@link #jvm()} is {@link JvmBaseline#AUTO}.
 * {@link #learning()} false ({@code "learning": false}) refuses learn runs that would write into it.
 */
public record Policy(
        String origin,
        Compatibility compatibility,
        JvmBaseline jvm,
        Filesystem filesystem,
        Network network,
        Sockets sockets,
        Scopes scopes,
        Dns dns,
        Capabilities capabilities,
        SyscallRules syscalls,
        Attach attach,
        ExitRule exit,
        boolean learning) {

    /**
     * {@code "exit"}: which code may end the JVM through {@code System.exit}, {@code Runtime.exit}
     * or {@code Runtime.halt}. A Java-level rule (the kernel sees no difference between the JVM's
     * own exit and anyone else's): when {@link #controlled()}, only the JDK, the agent, the main
     * class and the code {@link #allowed()} names may call them; others get a SecurityException.
     *
     * @param allowed class names (a class and its nested classes) and packages ({@code com.example.*}:
     *                the package and those beneath it)
     */
    public record ExitRule(boolean controlled, List<String> allowed, Location at) {
        public static final ExitRule UNCONTROLLED = new ExitRule(false, List.of(), null);

        public ExitRule {
            allowed = List.copyOf(allowed);
        }

        /** Whether {@code className} (binary name, {@code a.b.C$D}) is code this rule names. */
        public boolean names(String className) {
            for (String a : allowed) {
                if (a.endsWith(".*") ? className.startsWith(a.substring(0, a.length() - 1))
                        : className.equals(a) || className.startsWith(a + "$")) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * {@code "attach": true}: the JVM may create its attach socket, {@code /tmp/.java_pid<pid>},
     * and answer {@code jcmd}, {@code jstack}, JFR.start and JMC.
     */
    public record Attach(boolean allowed, Location at) {
        public static final Attach OFF = new Attach(false, null);
    }

    /** What to do when the kernel cannot enforce part of the policy. */
    public enum Compatibility {
        /** Refuse to start. The default. */
        STRICT("strict"),
        /** Enforce what the kernel can, warn about the rest. */
        BEST_EFFORT("best-effort");

        private final String policyName;

        Compatibility(String policyName) {
            this.policyName = policyName;
        }

        public String policyName() {
            return policyName;
        }
    }

    /** Whether the agent adds what the JVM itself needs. */
    public enum JvmBaseline {
        AUTO, NONE
    }

    // ---------------------------------------------------------------- filesystem

    public sealed interface Filesystem {
    }

    /** {@code "filesystem": "unrestricted"}: Landlock handles no filesystem right. */
    public record UnrestrictedFilesystem(Location at) implements Filesystem {
    }

    /** The listed rules; an absent key is an empty list. */
    public record FilesystemRules(List<PathRule> rules) implements Filesystem {
    }

    /**
     * One {@code filesystem} entry. {@code access} is the mask of Landlock rights as written (groups
     * expanded; for a file, narrowed to the rights that apply to files).
     */
    public record PathRule(String key, Location at, String written, Path path, long access,
                           List<String> accessNames, boolean optional, boolean exists, boolean directory) {
    }

    // ---------------------------------------------------------------- network

    public sealed interface Network {
    }

    /** {@code "network": "unrestricted"}: no TCP or UDP port is restricted. */
    public record UnrestrictedNetwork(Location at) implements Network {
    }

    /**
     * Port rules, and whether UNIX sockets may be bound. A transport that is {@code null} was not
     * written: none of its ports are allowed; a {@code null} {@code unix} allows no UNIX listening.
     */
    public record PortRules(Location at, Transport tcp, Transport udp, UnixRules unix) implements Network {
        public static final PortRules ABSENT = new PortRules(null, null, null, null);

        public boolean written() {
            return at != null;
        }
    }

    /**
     * {@code network.unix}: whether the JVM may bind UNIX sockets (abstract names, and socket files
     * where a filesystem rule grants make_sock), so that processes outside can connect in or send
     * it datagrams, descriptors included. {@code explicit} is true when {@code listen} was written.
     */
    public record UnixRules(String key, Location at, boolean listen, boolean explicit) {
    }

    /** The rules of one transport protocol. */
    public record Transport(String key, Location at, PortSet bind, PortSet connect) {
    }

    public sealed interface PortSet {
    }

    public record AnyPort(Location at) implements PortSet {
    }

    public record Ports(List<PortRange> ranges) implements PortSet {
        public static final Ports NONE = new Ports(List.of());

        public long count() {
            long n = 0;
            for (PortRange r : ranges) {
                n += r.to() - r.from() + 1L;
            }
            return n;
        }
    }

    public record PortRange(int from, int to, String key, Location at) {
        public boolean contains(int port) {
            return port >= from && port <= to;
        }

        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }

    // ---------------------------------------------------------------- sockets

    public sealed interface Sockets {
    }

    /** No {@code sockets} key: the kinds {@code network} implies are allowed. */
    public record ImpliedSockets() implements Sockets {
    }

    public record UnrestrictedSockets(Location at) implements Sockets {
    }

    public record SocketRules(Location at, List<SocketRule> rules) implements Sockets {
    }

    /**
     * One {@code sockets} entry: every (domain, type) pair it names, with one protocol or
     * {@code null} for any. Protocol 0 on an inet stream or dgram rule is stored as its default
     * (TCP or UDP), so the two spellings are one rule.
     */
    public record SocketRule(String key, Location at, List<Integer> domains, List<Integer> types, Integer protocol) {
    }

    // ---------------------------------------------------------------- scopes and DNS

    /** Landlock scopes; {@code explicit} is false when the key was absent (both, where the kernel has them). */
    public record Scopes(Set<Scope> scopes, boolean explicit, Location at) {
    }

    /**
     * {@code "dns"}: what name resolution may use. {@code "hosts"} lets the JVM read /etc/hosts
     * (names such as localhost and the host's own, which servers resolve at start) and opens no
     * socket; {@code true} also lets it ask DNS servers: UDP and TCP sockets to port 53, and netlink.
     */
    public record Dns(Mode mode, Location at) {
        public static final Dns OFF = new Dns(Mode.OFF, null);

        public enum Mode { OFF, HOSTS, FULL }

        /** /etc/hosts and glibc's resolver configuration are readable. */
        public boolean readsHostsFile() {
            return mode != Mode.OFF;
        }

        /** DNS servers may be asked: the sockets, port 53 and /etc/resolv.conf. */
        public boolean queriesServers() {
            return mode == Mode.FULL;
        }
    }

    // ---------------------------------------------------------------- privileges

    /** {@code "capabilities"}: the Linux capabilities the confined JVM keeps; none when the key is absent. */
    public record Capabilities(Set<Capability> kept, Location at) {
        public static final Capabilities NONE = new Capabilities(Set.of(), null);

        public long mask() {
            long m = 0;
            for (Capability c : kept) {
                m |= c.mask();
            }
            return m;
        }
    }

    /**
     * {@code "syscalls": {"allow": [...]}}: {@link PrivilegedSyscalls} names and groups the policy
     * lets the JVM use; none when the key is absent.
     */
    public record SyscallRules(Set<String> allowed, Location at) {
        public static final SyscallRules NONE = new SyscallRules(Set.of(), null);
    }
}
