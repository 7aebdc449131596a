package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessNet;
import dev.landlockagent.landlock.Scope;
import dev.landlockagent.linux.Capability;

import java.util.ArrayList;
import java.util.List;

/**
 * What the agent's INFO line says about a plan, as numbers: few enough to travel in the re-exec
 * marker ({@link #encode()}), which {@code ps} shows, and rendered to words only by the JVM that
 * logs them ({@link #text()}).
 *
 * @param fsRules         path rules, or {@link #UNRESTRICTED} when the filesystem is not handled
 * @param policyFsRules   how many of them the policy wrote (the rest are the JVM's)
 * @param tcpBind         TCP ports allowed to bind, or {@link #ANY} when binding is not handled
 * @param tcpConnect      TCP ports allowed to connect to, or {@link #ANY}
 * @param udpBind         UDP ports allowed to bind, {@link #ANY}, or {@link #ABSENT} before UDP rules
 * @param udpConnect      UDP ports allowed to connect or send to, {@link #ANY} or {@link #ABSENT}
 * @param socketMode      'a' for an allow-list of {@code socketKinds} kinds, 'u' for unrestricted,
 *                        'd' for unrestricted but {@code socketKinds} TCP-bypassing kinds denied
 * @param socketKinds     the kinds allowed or denied
 * @param scopes          the Landlock scopes ({@link Scope} bits)
 * @param capabilities    the capabilities kept ({@link Capability} bits)
 * @param syscallList     the version of the privileged-syscall list
 * @param allowedSyscalls the privileged syscalls the policy allows
 * @param notEnforced     what the policy asks and this kernel or confinement cannot enforce
 * @param metadataGap     why metadata changes outside the writable paths are not enforced (the
 *                        read-only mount view is missing), or null when they are
 * @param attach          tools may attach ({@code "attach": true})
 */
public record PlanSummary(long fsRules, long policyFsRules, long tcpBind, long tcpConnect, long udpBind,
                          long udpConnect, char socketMode, int socketKinds, long scopes, long capabilities,
                          int syscallList, List<String> allowedSyscalls, List<String> notEnforced,
                          String metadataGap, boolean attach) {
    public static final long UNRESTRICTED = -1;
    public static final long ANY = -2;
    public static final long ABSENT = -3;

    public PlanSummary {
        allowedSyscalls = List.copyOf(allowedSyscalls);
        notEnforced = List.copyOf(notEnforced);
    }

    static PlanSummary of(RulesetPlan plan, int syscallList, String metadataGap) {
        // loops, not streams: the first JVM computes this before main, where a lambda's bootstrap costs
        // milliseconds (docs/start-up-path.md)
        long policyPaths = 0;
        for (PathGrant g : plan.paths()) {
            if (g.fromPolicy()) {
                policyPaths++;
            }
        }
        char mode;
        int kinds;
        if (plan.sockets().mode() == SocketPlan.Mode.ALLOW_LIST) {
            mode = 'a';
            kinds = plan.sockets().allowed().size();
        } else if (plan.sockets().denied().isEmpty()) {
            mode = 'u';
            kinds = 0;
        } else {
            mode = 'd';
            kinds = plan.sockets().denied().size();
        }
        boolean udp = plan.abi().hasUdpRules();
        return new PlanSummary(plan.handledFs() == 0 ? UNRESTRICTED : plan.paths().size(), policyPaths,
                ports(plan, AccessNet.BIND_TCP), ports(plan, AccessNet.CONNECT_TCP),
                udp ? ports(plan, AccessNet.BIND_UDP) : ABSENT, udp ? ports(plan, AccessNet.CONNECT_SEND_UDP) : ABSENT,
                mode, kinds, plan.scoped(), plan.capabilities(), syscallList,
                List.copyOf(plan.allowedSyscalls()), plan.notEnforced(), metadataGap, plan.attach());
    }

    private static long ports(RulesetPlan plan, AccessNet right) {
        return plan.handles(right) ? plan.portCount(right) : ANY;
    }

    /** The INFO line's words. */
    public String text() {
        StringBuilder b = new StringBuilder();
        if (fsRules == UNRESTRICTED) {
            b.append("filesystem unrestricted");
        } else {
            b.append(fsRules).append(" fs rules (").append(policyFsRules).append(" policy, ")
                    .append(fsRules - policyFsRules).append(" jvm)");
        }
        b.append("; tcp ");
        if (tcpBind == ANY && tcpConnect == ANY) {
            b.append("unrestricted");
        } else {
            b.append("bind ").append(count(tcpBind)).append(" connect ").append(count(tcpConnect));
        }
        if (udpBind != ABSENT) {
            b.append("; udp bind ").append(count(udpBind)).append(" connect ").append(count(udpConnect));
        }
        b.append("; sockets ");
        switch (socketMode) {
            case 'a' -> b.append(socketKinds).append(socketKinds == 1 ? " kind allowed" : " kinds allowed");
            case 'd' -> b.append("unrestricted but ").append(socketKinds).append(" TCP-bypassing kinds");
            default -> b.append("unrestricted");
        }
        b.append("; scopes ");
        List<String> scopeNames = new ArrayList<>();
        for (Scope sc : Scope.values()) {
            if ((scopes & sc.mask()) != 0) {
                scopeNames.add(sc.policyName());
            }
        }
        b.append(scopeNames.isEmpty() ? "none" : String.join(",", scopeNames));
        b.append("; capabilities ").append(capabilities == 0 ? "none" : String.join(",", Capability.names(capabilities)));
        b.append("; privileged syscalls denied (list ").append(syscallList);
        if (!allowedSyscalls.isEmpty()) {
            b.append(", allowed ").append(String.join(",", allowedSyscalls));
        }
        b.append(')');
        if (attach) {
            b.append("; attach allowed");
        }
        List<String> missing = new ArrayList<>(notEnforced);
        if (metadataGap != null) {
            missing.add("metadata (chmod, chown, times, xattrs) of files this user owns outside the writable paths ("
                    + metadataGap + ")");
        }
        if (!missing.isEmpty()) {
            b.append("; not enforced: ").append(String.join(", ", missing));
        }
        return b.toString();
    }

    private static String count(long ports) {
        return ports == ANY ? "any" : Long.toString(ports);
    }

    /**
     * The numbers, dot-separated, then after a newline each: the metadata gap (empty for none), the
     * allowed syscalls (comma-separated), and each note not enforced. For {@link #decode} only.
     */
    public String encode() {
        StringBuilder b = new StringBuilder();
        b.append(fsRules).append('.').append(policyFsRules).append('.').append(tcpBind).append('.').append(tcpConnect)
                .append('.').append(udpBind).append('.').append(udpConnect).append('.').append(socketMode)
                .append(socketKinds).append('.').append(Long.toHexString(scopes)).append('.')
                .append(Long.toHexString(capabilities)).append('.').append(syscallList);
        if (attach) {
            b.append(".1"); // absent when false: ps shows the marker, keep it short
        }
        b.append('\n').append(metadataGap == null ? "" : metadataGap);
        b.append('\n').append(String.join(",", allowedSyscalls));
        for (String note : notEnforced) {
            b.append('\n').append(note);
        }
        return b.toString();
    }

    /** The summary {@link #encode()} wrote; throws IllegalArgumentException (or a subclass) when malformed. */
    public static PlanSummary decode(String encoded) {
        String[] lines = encoded.split("\n", -1);
        String[] n = lines[0].split("\\.", -1);
        if (n.length != 10 && n.length != 11 || lines.length < 3 || n[6].isEmpty()) {
            throw new IllegalArgumentException("malformed summary");
        }
        String gap = lines[1].isEmpty() ? null : lines[1];
        List<String> allowed = lines[2].isEmpty() ? List.of() : List.of(lines[2].split(","));
        List<String> notes = List.of(lines).subList(3, lines.length);
        return new PlanSummary(Long.parseLong(n[0]), Long.parseLong(n[1]), Long.parseLong(n[2]), Long.parseLong(n[3]),
                Long.parseLong(n[4]), Long.parseLong(n[5]), n[6].charAt(0), Integer.parseInt(n[6].substring(1)),
                Long.parseUnsignedLong(n[7], 16), Long.parseUnsignedLong(n[8], 16), Integer.parseInt(n[9]), allowed, notes,
                gap, n.length == 11 && n[10].equals("1"));
    }
}
