package dev.landlockagent.linux;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names a policy may use for socket(2)'s arguments, and their numbers on Linux
 * ({@code include/linux/socket.h}, {@code include/uapi/linux/in.h}, {@code include/uapi/linux/netlink.h}).
 */
public final class SocketNames {
    private SocketNames() {
    }

    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int AF_PACKET = 17;
    public static final int AF_SMC = 43;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_SEQPACKET = 5;

    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_SCTP = 132;
    public static final int IPPROTO_SMC = 256;
    public static final int IPPROTO_MPTCP = 262;

    public static final int NETLINK_ROUTE = 0;

    /** Address families by name; the highest family number Linux defines is below 64. */
    public static final Map<String, Integer> DOMAINS = new LinkedHashMap<>();
    public static final Map<String, Integer> TYPES = new LinkedHashMap<>();
    /** IP protocols (for inet and inet6). */
    public static final Map<String, Integer> IP_PROTOCOLS = new LinkedHashMap<>();
    /** Netlink families (the protocol argument of an AF_NETLINK socket). */
    public static final Map<String, Integer> NETLINK_PROTOCOLS = new LinkedHashMap<>();

    static {
        String[] families = {
            "unix:1", "local:1", "inet:2", "ax25:3", "ipx:4", "appletalk:5", "netrom:6", "bridge:7",
            "atmpvc:8", "x25:9", "inet6:10", "rose:11", "decnet:12", "netbeui:13", "security:14",
            "key:15", "netlink:16", "packet:17", "ash:18", "econet:19", "atmsvc:20", "rds:21",
            "sna:22", "irda:23", "pppox:24", "wanpipe:25", "llc:26", "ib:27", "mpls:28", "can:29",
            "tipc:30", "bluetooth:31", "iucv:32", "rxrpc:33", "isdn:34", "phonet:35",
            "ieee802154:36", "caif:37", "alg:38", "nfc:39", "vsock:40", "kcm:41", "qipcrtr:42",
            "smc:43", "xdp:44", "mctp:45",
        };
        for (String f : families) {
            int colon = f.indexOf(':');
            DOMAINS.put(f.substring(0, colon), Integer.parseInt(f.substring(colon + 1)));
        }
        TYPES.put("stream", SOCK_STREAM);
        TYPES.put("dgram", SOCK_DGRAM);
        TYPES.put("raw", SOCK_RAW);
        TYPES.put("rdm", 4);
        TYPES.put("seqpacket", SOCK_SEQPACKET);
        TYPES.put("dccp", 6);
        TYPES.put("packet", 10);

        IP_PROTOCOLS.put("ip", 0);
        IP_PROTOCOLS.put("icmp", 1);
        IP_PROTOCOLS.put("igmp", 2);
        IP_PROTOCOLS.put("tcp", IPPROTO_TCP);
        IP_PROTOCOLS.put("udp", IPPROTO_UDP);
        IP_PROTOCOLS.put("dccp", 33);
        IP_PROTOCOLS.put("ipv6", 41);
        IP_PROTOCOLS.put("rsvp", 46);
        IP_PROTOCOLS.put("gre", 47);
        IP_PROTOCOLS.put("esp", 50);
        IP_PROTOCOLS.put("ah", 51);
        IP_PROTOCOLS.put("icmpv6", 58);
        IP_PROTOCOLS.put("sctp", IPPROTO_SCTP);
        IP_PROTOCOLS.put("udplite", 136);
        IP_PROTOCOLS.put("raw", 255);
        IP_PROTOCOLS.put("smc", IPPROTO_SMC);
        IP_PROTOCOLS.put("mptcp", IPPROTO_MPTCP);

        NETLINK_PROTOCOLS.put("route", NETLINK_ROUTE);
        NETLINK_PROTOCOLS.put("usersock", 2);
        NETLINK_PROTOCOLS.put("firewall", 3);
        NETLINK_PROTOCOLS.put("sock_diag", 4);
        NETLINK_PROTOCOLS.put("nflog", 5);
        NETLINK_PROTOCOLS.put("xfrm", 6);
        NETLINK_PROTOCOLS.put("selinux", 7);
        NETLINK_PROTOCOLS.put("iscsi", 8);
        NETLINK_PROTOCOLS.put("audit", 9);
        NETLINK_PROTOCOLS.put("fib_lookup", 10);
        NETLINK_PROTOCOLS.put("connector", 11);
        NETLINK_PROTOCOLS.put("netfilter", 12);
        NETLINK_PROTOCOLS.put("ip6_fw", 13);
        NETLINK_PROTOCOLS.put("dnrtmsg", 14);
        NETLINK_PROTOCOLS.put("kobject_uevent", 15);
        NETLINK_PROTOCOLS.put("generic", 16);
        NETLINK_PROTOCOLS.put("scsitransport", 18);
        NETLINK_PROTOCOLS.put("ecryptfs", 19);
        NETLINK_PROTOCOLS.put("rdma", 20);
        NETLINK_PROTOCOLS.put("crypto", 21);
        NETLINK_PROTOCOLS.put("smc", 22);
    }

    public static boolean isInet(int domain) {
        return domain == AF_INET || domain == AF_INET6;
    }

    /**
     * The protocol socket(2) picks for protocol 0, where the upstream design canonicalises it:
     * TCP for inet stream sockets, UDP for inet dgram sockets; otherwise 0 stays 0.
     */
    public static int defaultProtocol(int domain, int type) {
        if (isInet(domain)) {
            if (type == SOCK_STREAM) {
                return IPPROTO_TCP;
            }
            if (type == SOCK_DGRAM) {
                return IPPROTO_UDP;
            }
        }
        return 0;
    }

    /** {@code AF_INET6} style name of a family number, for messages. */
    public static String domainConstant(int domain) {
        for (Map.Entry<String, Integer> e : DOMAINS.entrySet()) {
            if (e.getValue() == domain && !e.getKey().equals("local")) {
                return "AF_" + e.getKey().toUpperCase(java.util.Locale.ROOT);
            }
        }
        return Integer.toString(domain);
    }

    public static String domainName(int domain) {
        for (Map.Entry<String, Integer> e : DOMAINS.entrySet()) {
            if (e.getValue() == domain && !e.getKey().equals("local")) {
                return e.getKey();
            }
        }
        return Integer.toString(domain);
    }

    public static String typeConstant(int type) {
        for (Map.Entry<String, Integer> e : TYPES.entrySet()) {
            if (e.getValue() == type) {
                return "SOCK_" + e.getKey().toUpperCase(java.util.Locale.ROOT);
            }
        }
        return Integer.toString(type);
    }

    public static String typeName(int type) {
        for (Map.Entry<String, Integer> e : TYPES.entrySet()) {
            if (e.getValue() == type) {
                return e.getKey();
            }
        }
        return Integer.toString(type);
    }

    /** A protocol's name for the given family, or its number. */
    public static String protocolName(int domain, int protocol) {
        Map<String, Integer> table = domain == AF_NETLINK ? NETLINK_PROTOCOLS : isInet(domain) ? IP_PROTOCOLS : Map.of();
        for (Map.Entry<String, Integer> e : table.entrySet()) {
            if (e.getValue() == protocol) {
                return e.getKey();
            }
        }
        return Integer.toString(protocol);
    }

    /** As written in C, for messages: IPPROTO_TCP, NETLINK_ROUTE, or the number. */
    public static String protocolConstant(int domain, int protocol) {
        if (protocol == 0) {
            return "0";
        }
        String name = protocolName(domain, protocol);
        if (Character.isDigit(name.charAt(0))) {
            return name;
        }
        String prefix = domain == AF_NETLINK ? "NETLINK_" : "IPPROTO_";
        return prefix + name.toUpperCase(java.util.Locale.ROOT);
    }
}
