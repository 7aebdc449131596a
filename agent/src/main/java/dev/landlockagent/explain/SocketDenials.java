package dev.landlockagent.explain;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.AccessNet;
import dev.landlockagent.linux.Capability;
import dev.landlockagent.linux.SocketNames;
import dev.landlockagent.plan.PortGrant;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.plan.SocketKind;
import dev.landlockagent.plan.SocketPlan;

import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Denied socket operations, explained: creating a socket of a kind (the seccomp filter's
 * {@code sockets} rules), binding and connecting TCP and UDP ports (Landlock's port rules), and
 * binding and connecting UNIX sockets.
 */
final class SocketDenials {
    private SocketDenials() {
    }

    /** The family socket0 uses: inet6 unless asked for inet or IPv6 is off (libnet's probe). */
    static int inetDomain(RulesetPlan plan, ProtocolFamily family) {
        if (family == StandardProtocolFamily.INET || Boolean.getBoolean("java.net.preferIPv4Stack")) {
            return SocketNames.AF_INET;
        }
        boolean ipv6 = plan.sockets().allows(SocketNames.AF_INET6, SocketNames.SOCK_STREAM, 0) && ipv6On();
        return ipv6 ? SocketNames.AF_INET6 : SocketNames.AF_INET;
    }

    /** Whether this machine has IPv6 (libnet's own test: /proc/net/if_inet6). */
    private static boolean ipv6On() {
        return Files.exists(Path.of("/proc/net/if_inet6"));
    }

    static Denial socket(RulesetPlan plan, int domain, int type, int protocol) {
        SocketPlan sockets = plan.sockets();
        String what = "socket(" + SocketNames.domainConstant(domain) + ", " + SocketNames.typeConstant(type) + ", "
                + SocketNames.protocolConstant(domain, protocol) + ")";
        Denial.Facts f = Denial.Facts.socket(SocketNames.domainName(domain), SocketNames.typeName(type),
                protocol == 0 ? "default" : SocketNames.protocolName(domain, protocol));
        if (sockets.allows(domain, type, protocol)) {
            return Denial.elsewhere(what, "another LSM, a container's seccomp profile, or a kernel without this"
                    + " address family", f);
        }
        SocketKind wanted = new SocketKind(domain, type, protocol == 0 && SocketNames.defaultProtocol(domain, type) == 0
                ? null : SocketKind.canonical(domain, type, protocol), "");
        return Denial.byPolicy(what, "sockets: " + allowedSockets(sockets), wanted.toJson(), "\"sockets\"", f);
    }

    /**
     * NetworkInterface's native code (libnet's NetworkInterface.c) asks the kernel for the
     * interfaces through ioctls on {@code socket(AF_INET, SOCK_DGRAM, 0)}, and on an AF_INET6 one
     * where IPv6 is on.
     */
    static Denial interfaces(RulesetPlan plan) {
        SocketPlan sockets = plan.sockets();
        boolean ipv6 = ipv6On();
        boolean inet = sockets.allows(SocketNames.AF_INET, SocketNames.SOCK_DGRAM, 0);
        boolean inet6 = !ipv6 || sockets.allows(SocketNames.AF_INET6, SocketNames.SOCK_DGRAM, 0);
        String what = "list the network interfaces (the JDK asks the kernel through socket(" + (inet ? "AF_INET6" : "AF_INET")
                + ", SOCK_DGRAM, 0))";
        Denial.Facts f = Denial.Facts.socket(inet ? "inet6" : "inet", "dgram", "default");
        if (inet && inet6) {
            return Denial.elsewhere(what, "another LSM, or a container's seccomp profile", f);
        }
        String rule = ipv6 ? "{\"domain\": [\"inet\", \"inet6\"], \"type\": \"dgram\", \"protocol\": \"udp\"}"
                : "{\"domain\": \"inet\", \"type\": \"dgram\", \"protocol\": \"udp\"}";
        return Denial.byPolicy(what, "sockets: " + allowedSockets(sockets), rule, "\"sockets\"", f);
    }

    static String allowedSockets(SocketPlan sockets) {
        if (sockets.mode() == SocketPlan.Mode.UNRESTRICTED) {
            StringBuilder b = new StringBuilder("any, except ");
            for (int i = 0; i < sockets.denied().size(); i++) {
                b.append(i == 0 ? "" : ", ").append(sockets.denied().get(i));
            }
            return b.append(" (they would bypass the TCP port rules)").toString();
        }
        if (sockets.allowed().isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (SocketKind k : sockets.allowed()) {
            b.append(b.isEmpty() ? "" : ", ").append(k);
        }
        return b.toString();
    }

    /**
     * Net.bind and Net.connect serve TCP and UDP sockets alike: {@code udp} says which (the
     * caller's stack does).
     */
    static Denial port(RulesetPlan plan, boolean bind, boolean udp, InetAddress address, int port) {
        String transport = udp ? "udp" : "tcp";
        String shown = transport.toUpperCase(Locale.ROOT);
        AccessNet right = udp ? (bind ? AccessNet.BIND_UDP : AccessNet.CONNECT_SEND_UDP)
                : (bind ? AccessNet.BIND_TCP : AccessNet.CONNECT_TCP);
        String side = bind ? "bind" : "connect";
        String what = bind ? "bind to port " + port + " (" + shown + ")"
                : "connect to " + hostPort(address, port) + " (" + shown + ")";
        Denial.Facts f = Denial.Facts.port(side, transport, port, address == null ? null : address.getHostAddress());
        if (plan.allowsPort(right, port)) {
            if (bind && port > 0 && port < 1024) {
                // The port floor is net.ipv4.ip_unprivileged_port_start; the agent takes the capability
                // away unless the policy keeps it.
                return CapabilityDenials.explain(plan, what + " (ports below 1024 need "
                        + Capability.NET_BIND_SERVICE.kernelName() + ")", Capability.NET_BIND_SERVICE, f);
            }
            return Denial.elsewhere(what, "another LSM such as SELinux or AppArmor, or a container's seccomp profile", f);
        }
        String allowed = shown + " " + side + " to " + ports(plan, right);
        String rule = "{\"network\": {\"" + transport + "\": {\"" + side + "\": [" + port + "]}}}";
        return Denial.byPolicy(what, allowed, rule, "\"network\" > \"" + transport + "\" > \"" + side + "\" (merge)", f);
    }

    /** A datagram sent without connect: Landlock checks it as connect_send_udp, worded as a send. */
    static Denial sendTo(RulesetPlan plan, InetAddress address, int port) {
        Denial d = port(plan, false, true, address, port);
        return new Denial(d.what().replaceFirst("^connect to ", "send to "), d.byPolicy(), d.allowed(), d.rule(),
                d.where(), d.elsewhere(), d.facts(), d.group());
    }

    private static String hostPort(InetAddress a, int port) {
        if (a == null) {
            return "port " + port;
        }
        String h = a.getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }

    static String ports(RulesetPlan plan, AccessNet right) {
        StringBuilder b = new StringBuilder();
        for (PortGrant g : plan.ports()) {
            if (g.right() == right) {
                b.append(b.isEmpty() ? "" : ", ").append(g.from() == g.to() ? Integer.toString(g.from()) : g.from() + "-" + g.to());
            }
        }
        return b.isEmpty() ? "no port" : "ports " + b;
    }

    static Denial unixBind(RulesetPlan plan, Path socket) {
        Path dir = FileAccess.folderOf(socket.toString());
        String what = "bind to " + socket + " (UNIX)";
        if (!plan.listening().unix()) {
            // Without UNIX listening no grant keeps make_sock; a folder the policy lets it write had it.
            long granted = FileAccess.granted(plan, dir);
            boolean writable = (plan.handledFs() & AccessFs.MAKE_REG.mask()) == 0 || (granted & AccessFs.MAKE_REG.mask()) != 0;
            String where = "\"network\" (merge)" + (writable ? ""
                    : ", and to \"filesystem\": {\"path\": \"" + dir + "\", \"allow\": [\"make_sock\"]}");
            return Denial.byPolicy(what, "no UNIX socket to listen (processes outside could connect to it)",
                    "{\"network\": {\"unix\": {\"listen\": true}}}", where, Denial.Facts.path("bind", socket.toString()));
        }
        return FileDenials.need(plan, what, dir, AccessFs.MAKE_SOCK.mask(), "create the socket file in " + dir,
                socket.toString());
    }

    static Denial unixConnect(RulesetPlan plan, Path socket) {
        Path dir = FileAccess.folderOf(socket.toString());
        String what = "connect to " + socket + " (UNIX)";
        if ((plan.handledFs() & AccessFs.RESOLVE_UNIX.mask()) == 0) {
            return Denial.elsewhere(what, "the socket file's permissions; Landlock restricts pathname UNIX connects only"
                    + " from ABI " + AccessFs.RESOLVE_UNIX.sinceAbi(), Denial.Facts.path("connect", socket.toString()));
        }
        return FileDenials.need(plan, what, dir, AccessFs.RESOLVE_UNIX.mask(), "connect to sockets in " + dir,
                socket.toString());
    }
}
