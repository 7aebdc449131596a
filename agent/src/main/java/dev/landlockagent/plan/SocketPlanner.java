package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.AccessNet;
import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.policy.Policy;
import dev.landlockagent.policy.Policy.AnyPort;
import dev.landlockagent.policy.Policy.PortRules;
import dev.landlockagent.policy.Policy.Ports;
import dev.landlockagent.policy.Policy.SocketRule;
import dev.landlockagent.policy.Policy.SocketRules;
import dev.landlockagent.policy.Policy.Transport;
import dev.landlockagent.policy.Policy.UnrestrictedNetwork;
import dev.landlockagent.policy.Policy.UnrestrictedSockets;

import java.util.ArrayList;
import java.util.List;

import static dev.landlockagent.linux.SocketNames.AF_INET;
import static dev.landlockagent.linux.SocketNames.AF_INET6;
import static dev.landlockagent.linux.SocketNames.AF_NETLINK;
import static dev.landlockagent.linux.SocketNames.AF_SMC;
import static dev.landlockagent.linux.SocketNames.AF_UNIX;
import static dev.landlockagent.linux.SocketNames.IPPROTO_MPTCP;
import static dev.landlockagent.linux.SocketNames.IPPROTO_SCTP;
import static dev.landlockagent.linux.SocketNames.IPPROTO_SMC;
import static dev.landlockagent.linux.SocketNames.IPPROTO_TCP;
import static dev.landlockagent.linux.SocketNames.IPPROTO_UDP;
import static dev.landlockagent.linux.SocketNames.NETLINK_ROUTE;
import static dev.landlockagent.linux.SocketNames.SOCK_DGRAM;
import static dev.landlockagent.linux.SocketNames.SOCK_RAW;
import static dev.landlockagent.linux.SocketNames.SOCK_SEQPACKET;
import static dev.landlockagent.linux.SocketNames.SOCK_STREAM;

/**
 * Plans socket creation: the kinds a policy's {@code sockets} list allows (or those its
 * {@code network} rules imply), closing the protocols that bypass Landlock's TCP port rules
 * (MPTCP, SCTP, SMC; measured, docs/kernel-facts.md), and checking that {@code network} and
 * {@code sockets} agree.
 */
final class SocketPlanner {
    private final Policy policy;
    private final LandlockAbi abi;
    private final boolean tcpPortsRestricted;
    private final Planner refusal;
    private final List<String> notEnforced;

    SocketPlanner(Policy policy, LandlockAbi abi, long handledNet, Planner refusal, List<String> notEnforced) {
        this.policy = policy;
        this.abi = abi;
        this.tcpPortsRestricted = (handledNet & (AccessNet.BIND_TCP.mask() | AccessNet.CONNECT_TCP.mask())) != 0;
        this.refusal = refusal;
        this.notEnforced = notEnforced;
    }

    SocketPlan plan() {
        SocketPlan plan;
        if (policy.sockets() instanceof UnrestrictedSockets) {
            plan = unrestricted();
        } else if (policy.sockets() instanceof SocketRules rules) {
            plan = listed(rules);
        } else {
            List<SocketKind> kinds = new ArrayList<>(withAttach(implied(policy)));
            kinds.addAll(dnsKinds(policy));
            plan = new SocketPlan(SocketPlan.Mode.ALLOW_LIST, List.copyOf(kinds), List.of(), jvmSocketpairs(), true);
        }
        notes(plan);
        return plan;
    }

    private List<SocketKind> jvmSocketpairs() {
        return policy.jvm() == Policy.JvmBaseline.AUTO ? SocketPlan.JVM_SOCKETPAIRS : List.of();
    }

    /** Every socket, except what would bypass the TCP port rules. */
    private SocketPlan unrestricted() {
        if (!tcpPortsRestricted) {
            return SocketPlan.UNRESTRICTED;
        }
        String origin = "\"sockets\": \"unrestricted\" with TCP ports restricted";
        List<SocketKind> denied = new ArrayList<>();
        for (int domain : new int[] {AF_INET, AF_INET6}) {
            denied.add(new SocketKind(domain, SOCK_STREAM, IPPROTO_MPTCP, origin));
            denied.add(new SocketKind(domain, SOCK_STREAM, IPPROTO_SMC, origin));
            denied.add(new SocketKind(domain, SOCK_STREAM, IPPROTO_SCTP, origin));
            denied.add(new SocketKind(domain, SOCK_SEQPACKET, IPPROTO_SCTP, origin));
            // SOCK_SEQPACKET with protocol 0 on inet is SCTP, the only protocol of that type.
            denied.add(new SocketKind(domain, SOCK_SEQPACKET, 0, origin));
        }
        for (int type : new int[] {SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM, SOCK_RAW}) {
            denied.add(new SocketKind(AF_SMC, type, null, origin));
        }
        return new SocketPlan(SocketPlan.Mode.UNRESTRICTED, List.of(), List.copyOf(denied), List.of(), true);
    }

    /** No {@code sockets} key: what {@code network} implies. */
    static List<SocketKind> implied(Policy policy) {
        List<SocketKind> kinds = new ArrayList<>();
        boolean tcp;
        boolean udp;
        boolean unix;
        if (policy.network() instanceof UnrestrictedNetwork) {
            tcp = true;
            udp = true;
            unix = false;
        } else {
            PortRules net = (PortRules) policy.network();
            tcp = net.tcp() != null;
            udp = net.udp() != null;
            unix = net.unix() != null && net.unix().listen();
        }
        if (unix) {
            for (int type : new int[] {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET}) {
                kinds.add(new SocketKind(AF_UNIX, type, null, "implied by network.unix"));
            }
        }
        if (tcp) {
            kinds.add(new SocketKind(AF_INET, SOCK_STREAM, IPPROTO_TCP, "implied by network.tcp"));
            kinds.add(new SocketKind(AF_INET6, SOCK_STREAM, IPPROTO_TCP, "implied by network.tcp"));
        }
        if (udp) {
            kinds.add(new SocketKind(AF_INET, SOCK_DGRAM, IPPROTO_UDP, "implied by network.udp"));
            kinds.add(new SocketKind(AF_INET6, SOCK_DGRAM, IPPROTO_UDP, "implied by network.udp"));
        }
        return kinds;
    }

    /** The attach listener's socket, {@code socket(AF_UNIX, SOCK_STREAM, 0)} bound in /tmp, with {@code "attach": true}. */
    private List<SocketKind> withAttach(List<SocketKind> kinds) {
        if (!policy.attach().allowed()) {
            return kinds;
        }
        List<SocketKind> out = new ArrayList<>(kinds);
        out.add(new SocketKind(AF_UNIX, SOCK_STREAM, null, "attach at " + policy.attach().at()));
        return out;
    }

    /** The kinds {@code "dns": true} adds to those the policy allows. */
    static List<SocketKind> dnsKinds(Policy policy) {
        if (!policy.dns().queriesServers()) {
            return List.of();
        }
        List<SocketKind> out = new ArrayList<>();
        for (int domain : new int[] {AF_INET, AF_INET6}) {
            out.add(new SocketKind(domain, SOCK_DGRAM, IPPROTO_UDP, "dns"));
            out.add(new SocketKind(domain, SOCK_STREAM, IPPROTO_TCP, "dns"));
        }
        // glibc's getaddrinfo(AI_ADDRCONFIG) asks the kernel for the host's addresses over netlink.
        out.add(new SocketKind(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, "dns"));
        out.add(new SocketKind(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE, "dns"));
        return List.copyOf(out);
    }

    private SocketPlan listed(SocketRules rules) {
        List<SocketKind> kinds = new ArrayList<>();
        for (SocketRule r : rules.rules()) {
            String origin = r.key() + " at " + r.at();
            for (int domain : r.domains()) {
                for (int type : r.types()) {
                    kinds.add(new SocketKind(domain, type, r.protocol(), origin));
                }
            }
            if (tcpPortsRestricted) {
                bypassCheck(r);
            }
        }
        conflicts(rules, kinds);
        List<SocketKind> allowed = new ArrayList<>(withAttach(kinds));
        allowed.addAll(dnsKinds(policy));
        return new SocketPlan(SocketPlan.Mode.ALLOW_LIST, List.copyOf(allowed), List.of(), jvmSocketpairs(), true);
    }

    /** A rule that lets the JVM create a socket Landlock's TCP port rules do not apply to. */
    private void bypassCheck(SocketRule r) {
        for (int domain : r.domains()) {
            if (domain == AF_SMC) {
                refusal.refuseOrWarn(r.at(), r.key() + ".domain",
                        "allows SMC sockets, which bypass Landlock's TCP port rules (they are not TCP sockets to the kernel)",
                        "remove \"smc\" from the rule", "TCP ports for SMC sockets");
                return;
            }
            if (domain != AF_INET && domain != AF_INET6) {
                continue;
            }
            for (int type : r.types()) {
                if (type != SOCK_STREAM && type != SOCK_SEQPACKET) {
                    continue;
                }
                Integer p = r.protocol();
                if (p == null) {
                    refusal.refuseOrWarn(r.at(), r.key(),
                            "allows any protocol for inet stream sockets, which includes MPTCP, SCTP and SMC: "
                                    + "Landlock's TCP port rules do not apply to them (an MPTCP socket connected to "
                                    + "any port on this machine)",
                            "add \"protocol\": \"tcp\" to the rule", "TCP ports for MPTCP/SCTP/SMC sockets");
                    return;
                }
                if (p == IPPROTO_MPTCP || p == IPPROTO_SMC || p == IPPROTO_SCTP
                        || (type == SOCK_SEQPACKET && p == 0)) {
                    String name = p == IPPROTO_MPTCP ? "MPTCP" : p == IPPROTO_SMC ? "SMC" : "SCTP";
                    refusal.refuseOrWarn(r.at(), r.key() + ".protocol",
                            "allows " + name + " sockets, which bypass Landlock's TCP port rules",
                            "use \"protocol\": \"tcp\"", "TCP ports for " + name + " sockets");
                    return;
                }
            }
        }
    }

    /** {@code network} rules whose sockets the {@code sockets} list does not allow. */
    private void conflicts(SocketRules rules, List<SocketKind> kinds) {
        if (!(policy.network() instanceof PortRules net)) {
            return;
        }
        conflict(net.tcp(), SOCK_STREAM, IPPROTO_TCP, "tcp", rules, kinds);
        conflict(net.udp(), SOCK_DGRAM, IPPROTO_UDP, "udp", rules, kinds);
        if (net.unix() != null && net.unix().listen()) {
            SocketPlan plan = new SocketPlan(SocketPlan.Mode.ALLOW_LIST, kinds, List.of(), List.of(), true);
            if (!plan.allows(AF_UNIX, SOCK_STREAM, 0) && !plan.allows(AF_UNIX, SOCK_DGRAM, 0)
                    && !plan.allows(AF_UNIX, SOCK_SEQPACKET, 0)) {
                refusal.refuseOrWarn(net.unix().at(), net.unix().key() + ".listen",
                        "lets UNIX sockets listen, but \"sockets\" at " + rules.at() + " allows no unix socket",
                        "add {\"domain\": \"unix\", \"type\": \"stream\"} to \"sockets\", or remove \"listen\"",
                        "unix sockets");
            }
        }
    }

    private void conflict(Transport t, int type, int protocol, String name, SocketRules rules, List<SocketKind> kinds) {
        if (t == null || !allowsSomething(t)) {
            return;
        }
        SocketPlan plan = new SocketPlan(SocketPlan.Mode.ALLOW_LIST, kinds, List.of(), List.of(), true);
        if (plan.allows(AF_INET, type, protocol) || plan.allows(AF_INET6, type, protocol)) {
            return;
        }
        refusal.refuseOrWarn(t.at(), t.key(),
                "allows " + name + " ports, but \"sockets\" at " + rules.at() + " allows no " + name
                        + " socket (inet or inet6, " + (type == SOCK_STREAM ? "stream" : "dgram") + ")",
                "add {\"domain\": [\"inet\", \"inet6\"], \"type\": \"" + (type == SOCK_STREAM ? "stream" : "dgram")
                        + "\", \"protocol\": \"" + name + "\"} to \"sockets\", or remove the " + name + " ports",
                name + " sockets");
    }

    private static boolean allowsSomething(Transport t) {
        return t.bind() instanceof AnyPort || t.connect() instanceof AnyPort
                || !((Ports) t.bind()).ranges().isEmpty() || !((Ports) t.connect()).ranges().isEmpty();
    }

    /** What the INFO line should say about this plan. */
    private void notes(SocketPlan plan) {
        boolean inet4Stream = plan.allows(AF_INET, SOCK_STREAM, 0);
        boolean inet6Stream = plan.allows(AF_INET6, SOCK_STREAM, 0);
        // libnet decides at start-up whether IPv4 and IPv6 exist by creating a stream socket of each.
        if (inet4Stream && !inet6Stream) {
            notEnforced.add("IPv6 (inet6 stream sockets are not allowed, so the JVM runs IPv4-only)");
        }
        if (inet6Stream && !inet4Stream) {
            notEnforced.add("IPv4 probe (inet stream sockets are not allowed, so the JVM considers IPv4 unavailable:"
                    + " its loopback address is ::1; IPv4 peers are still reached through the inet6 socket)");
        }
        boolean udpSockets = plan.allows(AF_INET, SOCK_DGRAM, 0) || plan.allows(AF_INET6, SOCK_DGRAM, 0);
        if (udpSockets && !abi.hasUdpRules() && !notEnforced.contains("UDP ports")) {
            notEnforced.add("UDP ports (need Landlock ABI 10, Linux 7.2)");
        }
        boolean unixSockets = plan.allows(AF_UNIX, SOCK_STREAM, 0) || plan.allows(AF_UNIX, SOCK_DGRAM, 0)
                || plan.allows(AF_UNIX, SOCK_SEQPACKET, 0);
        if (unixSockets && !abi.supports(AccessFs.RESOLVE_UNIX)) {
            notEnforced.add("connects to pathname UNIX sockets (need Landlock ABI 9, Linux 7.1)");
        }
    }
}
