package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.AccessNet;
import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.landlock.Scope;
import dev.landlockagent.policy.Location;
import dev.landlockagent.policy.Policy;
import dev.landlockagent.policy.Policy.AnyPort;
import dev.landlockagent.policy.Policy.Compatibility;
import dev.landlockagent.policy.Policy.FilesystemRules;
import dev.landlockagent.policy.Policy.PathRule;
import dev.landlockagent.policy.Policy.PortRange;
import dev.landlockagent.policy.Policy.PortRules;
import dev.landlockagent.policy.Policy.PortSet;
import dev.landlockagent.policy.Policy.Ports;
import dev.landlockagent.policy.Policy.Transport;
import dev.landlockagent.policy.PolicyException;
import dev.landlockagent.policy.PolicyProblem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides what this kernel will enforce for a policy. In {@code strict} mode anything the policy
 * asks for that the kernel cannot enforce is a {@link PolicyException}; in {@code best-effort} mode
 * it becomes a warning and a "not enforced" note.
 */
public final class Planner {
    /** What glibc reads to resolve a name from the hosts file; "dns": "hosts" (and true) allows them. */
    public static final List<String> HOSTS_FILES = List.of("/etc/hosts", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf");
    /** What it reads to ask DNS servers too; "dns": true. */
    public static final List<String> RESOLVER_FILES = List.of("/etc/resolv.conf");

    private final Policy policy;
    private final KernelInfo kernel;
    private final LandlockAbi abi;
    private final List<PolicyProblem> refusals = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> notEnforced = new ArrayList<>();

    private Planner(Policy policy, KernelInfo kernel) {
        this.policy = policy;
        this.kernel = kernel;
        this.abi = kernel.abi();
    }

    /** The socket kinds a policy without a {@code "sockets"} list allows: those {@code "network"} implies, then {@code "dns"}'s. */
    public static List<SocketKind> impliedSocketKinds(Policy policy) {
        List<SocketKind> out = new ArrayList<>(SocketPlanner.implied(policy));
        out.addAll(SocketPlanner.dnsKinds(policy));
        return List.copyOf(out);
    }

    /** The socket kinds {@code "dns": true} allows beside a {@code "sockets"} list. */
    public static List<SocketKind> dnsSocketKinds(Policy policy) {
        return SocketPlanner.dnsKinds(policy);
    }

    public static RulesetPlan plan(Policy policy, KernelInfo kernel, JvmFacts facts) throws PolicyException {
        return new Planner(policy, kernel).build(facts);
    }

    private RulesetPlan build(JvmFacts facts) throws PolicyException {
        if (!abi.available()) {
            throw new PolicyException("this kernel has no Landlock, so policy " + policy.origin() + " cannot be enforced", List.of());
        }
        long handledFs = 0;
        List<PathGrant> paths = new ArrayList<>();
        if (policy.filesystem() instanceof FilesystemRules rules) {
            handledFs = abi.fsRights();
            for (PathRule r : rules.rules()) {
                pathRule(r, paths);
            }
            if (policy.jvm() == Policy.JvmBaseline.AUTO) {
                for (JvmBaseline.Entry e : JvmBaseline.entries(facts)) {
                    baseline(e, paths);
                }
            }
            if (policy.dns().readsHostsFile()) {
                List<String> files = new ArrayList<>(HOSTS_FILES);
                if (policy.dns().queriesServers()) {
                    files.addAll(RESOLVER_FILES);
                }
                for (String f : files) {
                    Path p = Path.of(f);
                    if (Files.exists(p)) {
                        paths.add(new PathGrant(p, AccessFs.READ_FILE.mask(), true, "dns at " + policy.dns().at()));
                    }
                }
            }
        }

        long handledNet = 0;
        List<PortGrant> ports = new ArrayList<>();
        if (policy.network() instanceof PortRules net) {
            handledNet |= tcp(net, ports);
            handledNet |= udp(net, ports);
        }
        if (policy.dns().queriesServers()) {
            if ((handledNet & AccessNet.CONNECT_TCP.mask()) != 0) {
                ports.add(new PortGrant(AccessNet.CONNECT_TCP, 53, 53, "dns"));
            }
            if ((handledNet & AccessNet.CONNECT_SEND_UDP.mask()) != 0) {
                ports.add(new PortGrant(AccessNet.CONNECT_SEND_UDP, 53, 53, "dns"));
            }
        }

        long scoped = scopes();
        SocketPlan sockets = new SocketPlanner(policy, abi, handledNet, this, notEnforced).plan();
        ListenPlan listening = new ListenPlanner(policy, abi, handledNet, sockets, this, notEnforced).plan(handledFs != 0);
        if (!listening.unix()) {
            paths = withoutSocketFiles(paths);
        }
        if (policy.attach().allowed() && handledFs != 0 && Files.isDirectory(facts.hotSpotTmpDir())) {
            // HotSpot's attach listener binds /tmp/.java_pid<pid>.tmp, then renames it to /tmp/.java_pid<pid>,
            // unlinking a stale one first.
            paths.add(new PathGrant(facts.hotSpotTmpDir(), (AccessFs.MAKE_SOCK.mask() | AccessFs.REMOVE_FILE.mask()) & abi.fsRights(),
                    true, "attach at " + policy.attach().at()));
        }

        if (!refusals.isEmpty()) {
            throw new PolicyException("policy " + policy.origin() + " asks for what this kernel (" + abi
                    + ", Linux " + LandlockAbi.linuxRelease(abi.version()) + " or later) cannot enforce,"
                    + " and its compatibility is \"strict\"", refusals);
        }
        return new RulesetPlan(policy.origin(), abi, handledFs, handledNet, scoped, List.copyOf(paths),
                List.copyOf(ports), sockets, listening, List.copyOf(notEnforced), List.copyOf(warnings),
                policy.capabilities().mask(), policy.syscalls().allowed(), policy.compatibility() == Compatibility.BEST_EFFORT,
                policy.attach().allowed());
    }

    /** Strict: a refusal naming the place and the fix. Best-effort: a warning and a note. */
    void refuseOrWarn(Location at, String key, String problem, String fix, String note) {
        if (policy.compatibility() == Compatibility.STRICT) {
            refusals.add(new PolicyProblem(at, key, problem, fix + ", or set \"compatibility\": \"best-effort\" to run without it"));
        } else {
            warnings.add((at == null ? "" : at + ": ") + (key == null || key.isEmpty() ? "" : key + ": ") + problem
                    + "; not enforced");
            if (!notEnforced.contains(note)) {
                notEnforced.add(note);
            }
        }
    }

    private String needs(String what, int sinceAbi) {
        return what + " need " + LandlockAbi.describe(sinceAbi) + "; this kernel has " + abi;
    }

    // ---------------------------------------------------------------- filesystem

    private void pathRule(PathRule r, List<PathGrant> paths) {
        long unsupported = r.access() & ~abi.fsRights();
        if (unsupported != 0) {
            int since = 1;
            for (AccessFs a : AccessFs.of(unsupported)) {
                since = Math.max(since, a.sinceAbi());
            }
            refuseOrWarn(r.at(), r.key() + ".allow", needs("the rights " + AccessFs.names(unsupported), since),
                    "remove " + AccessFs.names(unsupported) + " from the rule", AccessFs.names(unsupported));
        }
        long granted = r.access() & abi.fsRights();
        if (!r.exists() || granted == 0) {
            return; // an optional path that is missing: nothing to grant
        }
        paths.add(new PathGrant(r.path(), granted, true, r.key() + " at " + r.at()));
    }

    /**
     * Without UNIX listening no grant keeps make_sock: binding a socket file is how a pathname
     * UNIX listener is made, and Landlock checks it on every kernel. A rule that names make_sock
     * itself (not through "write") asks for that listener, so it is a conflict.
     */
    private List<PathGrant> withoutSocketFiles(List<PathGrant> paths) {
        if (policy.filesystem() instanceof FilesystemRules rules) {
            for (PathRule r : rules.rules()) {
                if (r.accessNames().contains("make_sock")) {
                    refuseOrWarn(r.at(), r.key() + ".allow", "make_sock lets the JVM bind UNIX sockets in " + r.path()
                                    + ", but \"network\" does not let UNIX sockets listen",
                            "add \"network\": {\"unix\": {\"listen\": true}}, or remove make_sock", "make_sock");
                }
            }
        }
        List<PathGrant> out = new ArrayList<>();
        for (PathGrant g : paths) {
            long access = g.access() & ~AccessFs.MAKE_SOCK.mask();
            if (access != 0) {
                out.add(access == g.access() ? g : new PathGrant(g.path(), access, g.fromPolicy(), g.origin()));
            }
        }
        return out;
    }

    private void baseline(JvmBaseline.Entry e, List<PathGrant> paths) {
        Path p = e.path();
        if (!Files.exists(p)) {
            return;
        }
        long access = e.access() & abi.fsRights();
        if (!Files.isDirectory(p)) {
            access &= AccessFs.fileRights();
        }
        if (access != 0) {
            paths.add(new PathGrant(p, access, false, "jvm baseline: " + e.reason()));
        }
    }

    // ---------------------------------------------------------------- network

    private long tcp(PortRules net, List<PortGrant> ports) {
        Transport tcp = net.tcp();
        if (!abi.hasTcpRules()) {
            if (tcp != null) {
                refuseOrWarn(tcp.at(), tcp.key(), needs("TCP port rules", AccessNet.BIND_TCP.sinceAbi()),
                        "remove \"tcp\" from \"network\" (or run on Linux 6.7 or later)", "TCP ports");
            } else if (!notEnforced.contains("TCP ports")) {
                notEnforced.add("TCP ports");
            }
            return 0;
        }
        long handled = 0;
        handled |= transportSide(tcp == null ? Ports.NONE : tcp.bind(), AccessNet.BIND_TCP, ports);
        handled |= transportSide(tcp == null ? Ports.NONE : tcp.connect(), AccessNet.CONNECT_TCP, ports);
        return handled;
    }

    private long udp(PortRules net, List<PortGrant> ports) {
        Transport udp = net.udp();
        if (!abi.hasUdpRules()) {
            if (udp != null) {
                refuseOrWarn(udp.at(), udp.key(), needs("UDP port rules", AccessNet.BIND_UDP.sinceAbi()),
                        "remove \"udp\" from \"network\" (UDP sockets can still be limited with \"sockets\")", "UDP ports");
            }
            return 0;
        }
        long handled = 0;
        handled |= transportSide(udp == null ? Ports.NONE : udp.bind(), AccessNet.BIND_UDP, ports);
        handled |= transportSide(udp == null ? Ports.NONE : udp.connect(), AccessNet.CONNECT_SEND_UDP, ports);
        return handled;
    }

    private static long transportSide(PortSet set, AccessNet right, List<PortGrant> ports) {
        if (set instanceof AnyPort) {
            return 0;
        }
        Ports listed = (Ports) set;
        for (PortRange r : listed.ranges()) {
            if (r.from() == 0 && r.to() == 65535) {
                return 0; // every port: the same as not handling the right, without 65,536 rules
            }
        }
        for (PortRange r : listed.ranges()) {
            ports.add(new PortGrant(right, r.from(), r.to(), r.key() + " at " + r.at()));
        }
        return right.mask();
    }

    // ---------------------------------------------------------------- scopes

    private long scopes() {
        long scoped = 0;
        for (Scope s : policy.scopes().scopes()) {
            if (abi.supports(s)) {
                scoped |= s.mask();
            } else if (policy.scopes().explicit()) {
                refuseOrWarn(policy.scopes().at(), "scopes", needs("scope " + s.policyName(), s.sinceAbi()),
                        "remove \"" + s.policyName() + "\" from \"scopes\"", "scope " + s.policyName());
            } else if (!notEnforced.contains("scopes")) {
                notEnforced.add("scopes");
            }
        }
        return scoped;
    }
}
