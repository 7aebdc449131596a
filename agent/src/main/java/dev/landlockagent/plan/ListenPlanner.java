package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessNet;
import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.policy.Policy;
import dev.landlockagent.policy.Policy.AnyPort;
import dev.landlockagent.policy.Policy.PortRules;
import dev.landlockagent.policy.Policy.Ports;
import dev.landlockagent.policy.Policy.Transport;
import dev.landlockagent.policy.Policy.UnixRules;
import dev.landlockagent.policy.Policy.UnrestrictedNetwork;

import java.util.List;

import static dev.landlockagent.linux.SocketNames.AF_INET;
import static dev.landlockagent.linux.SocketNames.AF_INET6;
import static dev.landlockagent.linux.SocketNames.AF_UNIX;
import static dev.landlockagent.linux.SocketNames.IPPROTO_TCP;
import static dev.landlockagent.linux.SocketNames.IPPROTO_UDP;
import static dev.landlockagent.linux.SocketNames.SOCK_DGRAM;
import static dev.landlockagent.linux.SocketNames.SOCK_SEQPACKET;
import static dev.landlockagent.linux.SocketNames.SOCK_STREAM;

/**
 * Plans {@link ListenPlan}: bind(2) stays for a policy that binds TCP or UDP ports, may listen on
 * UNIX sockets, or allows sockets whose binds Landlock does not judge by port (netlink, raw, UDP
 * before ABI 10, ...); listen(2) for TCP bind ports, UNIX listening and connection-oriented sockets
 * of other families. What the kernel cannot then stop is noted for the INFO line.
 */
final class ListenPlanner {
    private final Policy policy;
    private final LandlockAbi abi;
    private final long handledNet;
    private final SocketPlan sockets;
    private final Planner refusal;
    private final List<String> notEnforced;

    ListenPlanner(Policy policy, LandlockAbi abi, long handledNet, SocketPlan sockets, Planner refusal,
                  List<String> notEnforced) {
        this.policy = policy;
        this.abi = abi;
        this.handledNet = handledNet;
        this.sockets = sockets;
        this.refusal = refusal;
        this.notEnforced = notEnforced;
    }

    ListenPlan plan(boolean filesystemRestricted) {
        if (policy.network() instanceof UnrestrictedNetwork) {
            return ListenPlan.UNRESTRICTED;
        }
        PortRules net = (PortRules) policy.network();
        UnixRules unixRules = net.unix();
        String unix = unixRules != null && unixRules.listen() ? unixRules.key() + ".listen at " + unixRules.at() : null;
        String tcpBind = binds(net.tcp());
        String udpBind = abi.hasUdpRules() ? binds(net.udp()) : udpSockets();
        String other = otherKind(false);
        String attach = policy.attach().allowed() ? "attach at " + policy.attach().at() : null;
        String bind = first(unix, attach, tcpBind, udpBind, other);
        String listen = first(unix, attach, tcpBind, otherKind(true));
        ListenPlan plan = new ListenPlan(unix, bind, listen);
        notes(plan, unixRules, filesystemRestricted);
        return plan;
    }

    private void notes(ListenPlan plan, UnixRules unixRules, boolean filesystemRestricted) {
        boolean unixSockets = sockets.allows(AF_UNIX, SOCK_STREAM, 0) || sockets.allows(AF_UNIX, SOCK_DGRAM, 0)
                || sockets.allows(AF_UNIX, SOCK_SEQPACKET, 0);
        if (unixSockets && !plan.unix() && plan.bind()) {
            String what = filesystemRestricted ? "abstract UNIX socket names" : "UNIX sockets (abstract names, and socket files:"
                    + " the filesystem is unrestricted)";
            String problem = "UNIX sockets may not listen, but this policy also lets the JVM bind (" + plan.bindOrigin()
                    + ") and create UNIX sockets; binding an abstract name cannot be told apart from that, so "
                    + "processes outside could connect in";
            if (unixRules != null && unixRules.explicit()) {
                refusal.refuseOrWarn(unixRules.at(), unixRules.key() + ".listen", problem,
                        "remove the unix socket rules from \"sockets\", or remove \"listen\": false to accept it",
                        what + " can be bound and listened on");
            } else {
                notEnforced.add(what + " can be bound and listened on (the policy binds and creates UNIX sockets)");
            }
        }
        boolean tcpSockets = sockets.allows(AF_INET, SOCK_STREAM, IPPROTO_TCP) || sockets.allows(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
        if (plan.listen() && tcpSockets && (handledNet & AccessNet.BIND_TCP.mask()) != 0) {
            // listen(2) on an unbound TCP socket binds an ephemeral port without the bind hook Landlock checks (measured).
            notEnforced.add("TCP listen(2) without bind, on a port the kernel chooses");
        }
    }

    private static String first(String... reasons) {
        for (String r : reasons) {
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** Why the transport's bind rules let the JVM bind, or null. */
    private static String binds(Transport t) {
        if (t == null) {
            return null;
        }
        if (t.bind() instanceof AnyPort || !((Ports) t.bind()).ranges().isEmpty()) {
            return t.key() + ".bind at " + t.at();
        }
        return null;
    }

    /** Before ABI 10 UDP ports cannot be restricted: allowed UDP sockets keep bind(2), which Java's datagram sockets call. */
    private String udpSockets() {
        for (int domain : new int[] {AF_INET, AF_INET6}) {
            SocketKind k = sockets.allowing(domain, SOCK_DGRAM, IPPROTO_UDP);
            if (k != null) {
                return "UDP sockets (" + k.origin() + "), whose ports Landlock restricts only from ABI 10";
            }
        }
        return null; // "sockets": "unrestricted" is otherKind's
    }

    /**
     * An allowed socket kind whose bind Landlock does not judge by port: any family but unix, inet
     * and inet6, and inet kinds other than TCP and UDP. With {@code connectionOriented}, only stream
     * and seqpacket ones, which listen.
     */
    private String otherKind(boolean connectionOriented) {
        if (sockets.mode() == SocketPlan.Mode.UNRESTRICTED) {
            return "\"sockets\": \"unrestricted\"";
        }
        for (SocketKind k : sockets.allowed()) {
            if (k.domain() == AF_UNIX) {
                continue;
            }
            boolean inet = k.domain() == AF_INET || k.domain() == AF_INET6;
            if (inet && k.protocol() != null) {
                int p = SocketKind.canonical(k.domain(), k.type(), k.protocol());
                if ((k.type() == SOCK_STREAM && p == IPPROTO_TCP) || (k.type() == SOCK_DGRAM && p == IPPROTO_UDP)) {
                    continue;
                }
            }
            if (connectionOriented && k.type() != SOCK_STREAM && k.type() != SOCK_SEQPACKET) {
                continue;
            }
            return k + " sockets (" + k.origin() + ")";
        }
        return null;
    }
}
