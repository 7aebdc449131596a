package dev.landlockagent.policy;

import dev.landlockagent.linux.SocketNames;
import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.Scope;
import dev.landlockagent.linux.Capability;
import dev.landlockagent.policy.Policy.Capabilities;
import dev.landlockagent.policy.Policy.SyscallRules;
import dev.landlockagent.policy.Json.JArray;
import dev.landlockagent.policy.Json.JBoolean;
import dev.landlockagent.policy.Json.JNumber;
import dev.landlockagent.policy.Json.JObject;
import dev.landlockagent.policy.Json.JString;
import dev.landlockagent.policy.Json.Member;
import dev.landlockagent.policy.Policy.AnyPort;
import dev.landlockagent.policy.Policy.Attach;
import dev.landlockagent.policy.Policy.Compatibility;
import dev.landlockagent.policy.Policy.Dns;
import dev.landlockagent.policy.Policy.ExitRule;
import dev.landlockagent.policy.Policy.Filesystem;
import dev.landlockagent.policy.Policy.FilesystemRules;
import dev.landlockagent.policy.Policy.ImpliedSockets;
import dev.landlockagent.policy.Policy.JvmBaseline;
import dev.landlockagent.policy.Policy.Network;
import dev.landlockagent.policy.Policy.PathRule;
import dev.landlockagent.policy.Policy.PortRange;
import dev.landlockagent.policy.Policy.PortRules;
import dev.landlockagent.policy.Policy.PortSet;
import dev.landlockagent.policy.Policy.Ports;
import dev.landlockagent.policy.Policy.Scopes;
import dev.landlockagent.policy.Policy.SocketRule;
import dev.landlockagent.policy.Policy.SocketRules;
import dev.landlockagent.policy.Policy.Sockets;
import dev.landlockagent.policy.Policy.Transport;
import dev.landlockagent.policy.Policy.UnixRules;
import dev.landlockagent.policy.Policy.UnrestrictedFilesystem;
import dev.landlockagent.policy.Policy.UnrestrictedNetwork;
import dev.landlockagent.policy.Policy.UnrestrictedSockets;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a policy document into a {@link Policy}, or a {@link PolicyException} listing every problem
 * with its {@code file:line:column}, key and fix. Reading (JSON syntax) is {@link JsonReader}'s job;
 * this class checks meaning: known keys and names, types, ports, paths and substitutions.
 */
public final class PolicyParser {
    public static final int SUPPORTED_VERSION = 1;

    private static final List<String> ROOT_KEYS = List.of("$schema", "version", "compatibility", "jvm",
            "filesystem", "network", "sockets", "scopes", "dns", "capabilities", "syscalls", "attach", "exit", "learning");
    private static final List<String> PATH_KEYS = List.of("path", "allow", "optional");
    private static final List<String> NETWORK_KEYS = List.of("tcp", "udp", "unix");
    private static final List<String> UNIX_KEYS = List.of("listen");
    private static final List<String> TRANSPORT_KEYS = List.of("bind", "connect");
    private static final List<String> SOCKET_KEYS = List.of("domain", "type", "protocol");
    private static final String UNRESTRICTED = "unrestricted";

    private final String origin;
    private final PolicyContext ctx;
    private final List<PolicyProblem> problems = new ArrayList<>();

    private PolicyParser(String origin, PolicyContext ctx) {
        this.origin = origin;
        this.ctx = ctx;
    }

    public static Policy parse(byte[] document, String origin, PolicyContext ctx) throws PolicyException {
        Json root = JsonReader.read(document, origin);
        PolicyParser parser = new PolicyParser(origin, ctx);
        Policy policy = parser.policy(root);
        if (!parser.problems.isEmpty()) {
            throw new PolicyException("policy " + origin + " is invalid", parser.problems);
        }
        return policy;
    }

    private void problem(Json at, String key, String problem, String fix) {
        problems.add(new PolicyProblem(at.at(), key, problem, fix));
    }

    private void problem(Location at, String key, String problem, String fix) {
        problems.add(new PolicyProblem(at, key, problem, fix));
    }

    // ------------------------------------------------------------------ root

    private Policy policy(Json root) {
        if (!(root instanceof JObject obj)) {
            problem(root, "", "the policy must be a JSON object, not " + article(root.typeName()),
                    "write {\"version\": 1, ...}");
            return null;
        }
        checkKeys(obj, "", ROOT_KEYS);

        Member schema = obj.member("$schema");
        if (schema != null && !(schema.value() instanceof JString)) {
            problem(schema.value(), "$schema", "must be a string (the URL or path of the policy schema)",
                    "write \"$schema\": \"docs/policy.schema.json\" or remove it");
        }

        Member version = obj.member("version");
        if (version == null) {
            problem(obj, "version", "the policy has no \"version\"", "add \"version\": 1 as the first key");
        } else if (!(version.value() instanceof JNumber n) || n.inRange(SUPPORTED_VERSION, SUPPORTED_VERSION) == null) {
            problem(version.value(), "version", "unsupported version " + render(version.value()),
                    "this agent reads version 1: write \"version\": 1");
        }

        Compatibility compatibility = enumValue(obj.member("compatibility"), "compatibility",
                Map.of("strict", Compatibility.STRICT, "best-effort", Compatibility.BEST_EFFORT), Compatibility.STRICT);
        JvmBaseline jvm = enumValue(obj.member("jvm"), "jvm",
                Map.of("auto", JvmBaseline.AUTO, "none", JvmBaseline.NONE), JvmBaseline.AUTO);

        Filesystem filesystem = filesystem(obj.member("filesystem"));
        Network network = network(obj.member("network"));
        Sockets sockets = sockets(obj.member("sockets"));
        Scopes scopes = scopes(obj.member("scopes"), obj);
        Dns dns = dns(obj.member("dns"));
        Capabilities capabilities = capabilities(obj.member("capabilities"));
        SyscallRules syscalls = syscalls(obj.member("syscalls"));
        Attach attach = attach(obj.member("attach"));
        ExitRule exit = exit(obj.member("exit"));
        boolean learning = learning(obj.member("learning"));
        return new Policy(origin, compatibility, jvm, filesystem, network, sockets, scopes, dns, capabilities, syscalls, attach,
                exit, learning);
    }

    private <T> T enumValue(Member m, String key, Map<String, T> values, T dflt) {
        if (m == null) {
            return dflt;
        }
        List<String> names = new ArrayList<>(values.keySet());
        names.sort(null);
        if (m.value() instanceof JString s) {
            T v = values.get(s.value());
            if (v != null) {
                return v;
            }
            String suggestion = Suggest.closest(s.value(), names);
            problem(m.value(), key, "unknown value \"" + s.value() + "\"",
                    (suggestion != null ? "did you mean \"" + suggestion + "\"? " : "") + "use one of " + quoted(names));
        } else {
            problem(m.value(), key, "must be a string, not " + article(m.value().typeName()), "use one of " + quoted(names));
        }
        return dflt;
    }

    private void checkKeys(JObject obj, String key, List<String> known) {
        for (Member m : obj.members()) {
            if (!known.contains(m.key())) {
                String suggestion = Suggest.closest(m.key(), known);
                String where = key.isEmpty() ? m.key() : key + "." + m.key();
                problem(m.keyAt(), where, "unknown key \"" + m.key() + "\"",
                        (suggestion != null ? "did you mean \"" + suggestion + "\"? " : "")
                                + "known keys here: " + quoted(known));
            }
        }
    }

    // ------------------------------------------------------------------ filesystem

    private Filesystem filesystem(Member m) {
        if (m == null) {
            return new FilesystemRules(List.of());
        }
        Json v = m.value();
        if (v instanceof JString s && s.value().equals(UNRESTRICTED)) {
            return new UnrestrictedFilesystem(v.at());
        }
        if (!(v instanceof JArray array)) {
            problem(v, "filesystem", "must be a list of rules or \"unrestricted\", not " + render(v),
                    "write \"filesystem\": [{\"path\": \"/data\", \"allow\": [\"read\"]}]");
            return new FilesystemRules(List.of());
        }
        List<PathRule> rules = new ArrayList<>();
        for (int i = 0; i < array.elements().size(); i++) {
            PathRule rule = pathRule(array.elements().get(i), "filesystem[" + i + "]");
            if (rule != null) {
                rules.add(rule);
            }
        }
        return new FilesystemRules(List.copyOf(rules));
    }

    private PathRule pathRule(Json v, String key) {
        if (!(v instanceof JObject obj)) {
            problem(v, key, "a filesystem rule must be an object, not " + render(v),
                    "write {\"path\": \"/data\", \"allow\": [\"read\"]}");
            return null;
        }
        checkKeys(obj, key, PATH_KEYS);
        boolean optional = false;
        Member opt = obj.member("optional");
        if (opt != null) {
            if (opt.value() instanceof JBoolean b) {
                optional = b.value();
            } else {
                problem(opt.value(), key + ".optional", "must be true or false, not " + render(opt.value()),
                        "write \"optional\": true");
            }
        }

        Member pathMember = obj.member("path");
        Path path = null;
        String written = null;
        if (pathMember == null) {
            problem(obj, key, "the rule has no \"path\"", "add \"path\": \"/some/folder\"");
        } else if (!(pathMember.value() instanceof JString ps)) {
            problem(pathMember.value(), key + ".path", "must be a string, not " + render(pathMember.value()),
                    "write the path in double quotes");
        } else {
            written = ps.value();
            path = resolvePath(ps, key + ".path");
        }

        boolean exists = false;
        boolean directory = false;
        if (path != null) {
            int kind = ctx.files().kind(path);
            exists = kind != PolicyContext.FileKinds.MISSING;
            directory = kind == PolicyContext.FileKinds.FOLDER;
            if (!exists && !optional) {
                problem(pathMember.value(), key + ".path", "\"" + path + "\" does not exist",
                        "create it, correct the path, or add \"optional\": true to skip the rule when it is missing");
            }
        }
        boolean isFile = exists && !directory;

        Member allowMember = obj.member("allow");
        long access = 0;
        List<String> names = new ArrayList<>();
        if (allowMember == null) {
            problem(obj, key, "the rule has no \"allow\"", "add \"allow\": [\"read\"] (or write, execute, or Landlock right names)");
        } else {
            List<JString> entries = stringOrStrings(allowMember.value(), key + ".allow",
                    "write \"allow\": [\"read\", \"write\"]");
            if (entries != null && entries.isEmpty()) {
                problem(allowMember.value(), key + ".allow", "allows nothing",
                        "name at least one access, or remove the rule");
            }
            if (entries != null) {
                for (int i = 0; i < entries.size(); i++) {
                    JString e = entries.get(i);
                    String entryKey = allowMember.value() instanceof JArray ? key + ".allow[" + i + "]" : key + ".allow";
                    long rights = AccessNames.rights(e.value());
                    if (rights < 0) {
                        String suggestion = Suggest.closest(e.value(), AccessNames.all());
                        problem(e, entryKey, "unknown access \"" + e.value() + "\"",
                                (suggestion != null ? "did you mean \"" + suggestion + "\"? " : "")
                                        + "use " + quoted(AccessNames.all()));
                        continue;
                    }
                    names.add(e.value());
                    if (isFile) {
                        if (AccessNames.isGroup(e.value())) {
                            rights &= AccessFs.fileRights();
                            if (rights == 0) {
                                problem(e, entryKey, "\"" + e.value() + "\" grants nothing on a file (\"" + path
                                        + "\" is a file; the group only holds folder rights)", "use \"write\" for a file's content, or put the rule on the folder");
                            }
                        } else if ((rights & AccessFs.fileRights()) == 0) {
                            problem(e, entryKey, "\"" + e.value() + "\" applies to folders, but \"" + path + "\" is a file",
                                    "put the rule on the folder that holds it, or use a file right ("
                                            + AccessFs.names(AccessFs.fileRights()) + ")");
                            continue;
                        }
                    }
                    access |= rights;
                }
            }
        }
        if (path == null) {
            return null;
        }
        return new PathRule(key, obj.at(), written, path, access, List.copyOf(names), optional, exists, directory);
    }

    private Path resolvePath(JString ps, String key) {
        String expanded;
        try {
            expanded = Substitutions.expand(ps.value(), ctx);
        } catch (Substitutions.SubstitutionException e) {
            problem(ps, key, e.getMessage(), e.fix());
            return null;
        }
        if (expanded.isEmpty()) {
            problem(ps, key, "the path is empty", "write an absolute path such as \"/var/lib/app\"");
            return null;
        }
        if (expanded.indexOf('\0') >= 0) {
            problem(ps, key, "the path contains a NUL character", "remove it");
            return null;
        }
        try {
            Path p = Path.of(expanded);
            if (!p.isAbsolute()) {
                if (ctx.relativeBase() == null) {
                    problem(ps, key, "relative path \"" + expanded + "\" but this policy has no folder to resolve it against",
                            "write an absolute path, or start it with ${app.dir} or ${user.dir}");
                    return null;
                }
                p = ctx.relativeBase().resolve(p);
            }
            return p.normalize();
        } catch (InvalidPathException e) {
            problem(ps, key, "\"" + expanded + "\" is not a valid path: " + e.getReason(), "correct the path");
            return null;
        }
    }

    // ------------------------------------------------------------------ network

    private Network network(Member m) {
        if (m == null) {
            return PortRules.ABSENT;
        }
        Json v = m.value();
        if (v instanceof JString s && s.value().equals(UNRESTRICTED)) {
            return new UnrestrictedNetwork(v.at());
        }
        if (!(v instanceof JObject obj)) {
            problem(v, "network", "must be an object or \"unrestricted\", not " + render(v),
                    "write \"network\": {\"tcp\": {\"connect\": [443]}}");
            return PortRules.ABSENT;
        }
        checkKeys(obj, "network", NETWORK_KEYS);
        Transport tcp = transport(obj.member("tcp"), "network.tcp");
        Transport udp = transport(obj.member("udp"), "network.udp");
        return new PortRules(obj.at(), tcp, udp, unix(obj.member("unix")));
    }

    private UnixRules unix(Member m) {
        if (m == null) {
            return null;
        }
        Json v = m.value();
        String key = "network.unix";
        if (!(v instanceof JObject obj)) {
            problem(v, key, "must be an object, not " + render(v), "write \"unix\": {\"listen\": true}");
            return null;
        }
        checkKeys(obj, key, UNIX_KEYS);
        Member listen = obj.member("listen");
        if (listen == null) {
            return new UnixRules(key, obj.at(), false, false);
        }
        if (listen.value() instanceof JBoolean b) {
            return new UnixRules(key, listen.value().at(), b.value(), true);
        }
        problem(listen.value(), key + ".listen", "must be true or false, not " + render(listen.value()),
                "write \"listen\": true to let processes outside connect to UNIX sockets this JVM binds");
        return null;
    }

    private Transport transport(Member m, String key) {
        if (m == null) {
            return null;
        }
        Json v = m.value();
        if (v instanceof JString s && s.value().equals(UNRESTRICTED)) {
            return new Transport(key, v.at(), new AnyPort(v.at()), new AnyPort(v.at()));
        }
        if (!(v instanceof JObject obj)) {
            problem(v, key, "must be an object with \"bind\" and/or \"connect\", or \"unrestricted\", not " + render(v),
                    "write {\"bind\": [8080], \"connect\": [443]}");
            return new Transport(key, v.at(), Ports.NONE, Ports.NONE);
        }
        checkKeys(obj, key, TRANSPORT_KEYS);
        return new Transport(key, obj.at(), portSet(obj.member("bind"), key + ".bind"),
                portSet(obj.member("connect"), key + ".connect"));
    }

    private PortSet portSet(Member m, String key) {
        if (m == null) {
            return Ports.NONE;
        }
        Json v = m.value();
        if (v instanceof JString s && s.value().equals(UNRESTRICTED)) {
            return new AnyPort(v.at());
        }
        if (!(v instanceof JArray array)) {
            problem(v, key, "must be a list of ports or \"unrestricted\", not " + render(v),
                    "write [8080, \"9000-9010\"]");
            return Ports.NONE;
        }
        List<PortRange> ranges = new ArrayList<>();
        for (int i = 0; i < array.elements().size(); i++) {
            PortRange r = portRange(array.elements().get(i), key + "[" + i + "]");
            if (r != null) {
                ranges.add(r);
            }
        }
        return new Ports(List.copyOf(ranges));
    }

    private PortRange portRange(Json v, String key) {
        if (v instanceof JNumber n) {
            Integer port = port(n, n.text(), v, key);
            return port == null ? null : new PortRange(port, port, key, v.at());
        }
        if (v instanceof JString s) {
            String text = s.value().strip();
            int dash = text.indexOf('-', 1);
            String from = dash < 0 ? text : text.substring(0, dash).strip();
            String to = dash < 0 ? text : text.substring(dash + 1).strip();
            Integer a = portText(from, v, key);
            Integer b = a == null || dash < 0 ? a : portText(to, v, key); // one problem per element
            if (a == null || b == null) {
                return null;
            }
            if (a > b) {
                problem(v, key, "range \"" + s.value() + "\" is reversed", "write \"" + b + "-" + a + "\"");
                return null;
            }
            return new PortRange(a, b, key, v.at());
        }
        problem(v, key, "a port must be a number or a \"from-to\" range, not " + render(v), "write 8080 or \"8000-8099\"");
        return null;
    }

    private Integer portText(String text, Json v, String key) {
        if (text.isEmpty() || text.length() > 6 || !allDigits(text)) {
            problem(v, key, "\"" + ((JString) v).value() + "\" is not a port or a \"from-to\" range",
                    "write a number from 0 to 65535, or a range such as \"8000-8099\"");
            return null;
        }
        return port(Json.JNumber.of(v.at(), text), text, v, key);
    }

    private static boolean allDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private Integer port(JNumber n, String text, Json v, String key) {
        if (!n.integral()) {
            problem(v, key, "port " + text + " is not a whole number within 0..65535", "write a whole number such as 8080");
            return null;
        }
        Long port = n.inRange(0, 65535);
        if (port == null) {
            problem(v, key, "port " + text + " is outside 0..65535", "use a port from 0 to 65535 (0 allows binding an ephemeral port)");
            return null;
        }
        return port.intValue();
    }

    // ------------------------------------------------------------------ sockets

    private Sockets sockets(Member m) {
        if (m == null) {
            return new ImpliedSockets();
        }
        Json v = m.value();
        if (v instanceof JString s && s.value().equals(UNRESTRICTED)) {
            return new UnrestrictedSockets(v.at());
        }
        if (!(v instanceof JArray array)) {
            problem(v, "sockets", "must be a list of socket rules or \"unrestricted\", not " + render(v),
                    "write \"sockets\": [{\"domain\": \"inet6\", \"type\": \"stream\", \"protocol\": \"tcp\"}]");
            return new SocketRules(v.at(), List.of());
        }
        List<SocketRule> rules = new ArrayList<>();
        for (int i = 0; i < array.elements().size(); i++) {
            SocketRule r = socketRule(array.elements().get(i), "sockets[" + i + "]");
            if (r != null) {
                rules.add(r);
            }
        }
        return new SocketRules(v.at(), List.copyOf(rules));
    }

    private SocketRule socketRule(Json v, String key) {
        if (!(v instanceof JObject obj)) {
            problem(v, key, "a socket rule must be an object, not " + render(v),
                    "write {\"domain\": \"inet6\", \"type\": \"stream\", \"protocol\": \"tcp\"}");
            return null;
        }
        checkKeys(obj, key, SOCKET_KEYS);
        List<Integer> domains = socketNumbers(obj, "domain", key, SocketNames.DOMAINS, 1, 63,
                "\"domain\": \"inet6\" (or unix, inet, netlink, packet, vsock ...)");
        List<Integer> types = socketNumbers(obj, "type", key, SocketNames.TYPES, 1, 15,
                "\"type\": \"stream\" (or dgram, seqpacket, raw)");
        Integer protocol = null;
        Member pm = obj.member("protocol");
        if (pm != null && domains != null && types != null) {
            protocol = protocol(pm.value(), key + ".protocol", domains, types);
            if (protocol == null) {
                return null;
            }
        }
        if (domains == null || types == null) {
            return null;
        }
        return new SocketRule(key, obj.at(), domains, types, protocol);
    }

    private List<Integer> socketNumbers(JObject obj, String field, String key, Map<String, Integer> names,
                                        int min, int max, String example) {
        Member m = obj.member(field);
        if (m == null) {
            problem(obj, key, "the rule has no \"" + field + "\"", "add " + example);
            return null;
        }
        List<Json> values = m.value() instanceof JArray a ? a.elements() : List.of(m.value());
        if (values.isEmpty()) {
            problem(m.value(), key + "." + field, "the list is empty", "name at least one " + field + ", e.g. " + example);
            return null;
        }
        Set<Integer> numbers = new LinkedHashSet<>();
        boolean ok = true;
        for (int i = 0; i < values.size(); i++) {
            Json e = values.get(i);
            String k = m.value() instanceof JArray ? key + "." + field + "[" + i + "]" : key + "." + field;
            if (e instanceof JString s) {
                Integer n = names.get(s.value());
                if (n == null) {
                    String suggestion = Suggest.closest(s.value(), names.keySet());
                    problem(e, k, "unknown " + field + " \"" + s.value() + "\"",
                            (suggestion != null ? "did you mean \"" + suggestion + "\"? " : "")
                                    + "use a name (" + String.join(", ", firstNames(names, 12)) + " ...) or the number from socket(2)");
                    ok = false;
                } else {
                    numbers.add(n);
                }
            } else if (e instanceof JNumber n) {
                Long value = n.inRange(min, max);
                if (value == null) {
                    problem(e, k, field + " " + n.text() + " is outside " + min + ".." + max,
                            "use a name or a " + field + " number from socket(2)");
                    ok = false;
                } else {
                    numbers.add(value.intValue());
                }
            } else {
                problem(e, k, "must be a name or a number, not " + render(e), "write " + example);
                ok = false;
            }
        }
        return ok ? List.copyOf(numbers) : null;
    }

    private Integer protocol(Json v, String key, List<Integer> domains, List<Integer> types) {
        if (v instanceof JNumber n) {
            Long p = n.inRange(0, Integer.MAX_VALUE);
            if (p != null) {
                return p.intValue();
            }
            problem(v, key, "protocol " + n.text() + " is not a protocol number", "use a name such as \"tcp\" or a number from 0 up");
            return null;
        }
        if (!(v instanceof JString s)) {
            problem(v, key, "must be a name or a number, not " + render(v), "write \"protocol\": \"tcp\", or leave it out to allow any protocol");
            return null;
        }
        Integer number = null;
        for (int domain : domains) {
            Map<String, Integer> table = domain == SocketNames.AF_NETLINK ? SocketNames.NETLINK_PROTOCOLS
                    : SocketNames.isInet(domain) ? SocketNames.IP_PROTOCOLS : Map.of();
            Integer n = table.get(s.value());
            if (n == null) {
                Map<String, Integer> known = new java.util.LinkedHashMap<>(SocketNames.IP_PROTOCOLS);
                known.putAll(SocketNames.NETLINK_PROTOCOLS);
                if (known.containsKey(s.value())) {
                    problem(v, key, "protocol \"" + s.value() + "\" means nothing for domain "
                                    + SocketNames.domainName(domain),
                            "split the rule so that \"" + s.value() + "\" goes with the domains it belongs to, or use a protocol number");
                } else {
                    String suggestion = Suggest.closest(s.value(), known.keySet());
                    problem(v, key, "unknown protocol \"" + s.value() + "\"",
                            (suggestion != null ? "did you mean \"" + suggestion + "\"? " : "")
                                    + "use tcp, udp, mptcp, sctp, icmp, icmpv6, udplite, smc, raw, a netlink family, or a number");
                }
                return null;
            }
            if (number != null && !number.equals(n)) {
                problem(v, key, "protocol \"" + s.value() + "\" has different numbers for the listed domains",
                        "split the rule by domain");
                return null;
            }
            number = n;
        }
        if (number != null && allInet(domains)) {
            String mismatch = inetMismatch(number, types);
            if (mismatch != null) {
                problem(v, key, mismatch, "match the protocol to the type: tcp, mptcp and smc with stream; udp and udplite with dgram");
                return null;
            }
        }
        return number;
    }

    private static boolean allInet(List<Integer> domains) {
        for (int d : domains) {
            if (!SocketNames.isInet(d)) {
                return false;
            }
        }
        return true;
    }

    private static String inetMismatch(int protocol, List<Integer> types) {
        for (int type : types) {
            boolean streamOnly = protocol == SocketNames.IPPROTO_TCP || protocol == SocketNames.IPPROTO_MPTCP
                    || protocol == SocketNames.IPPROTO_SMC;
            boolean dgramOnly = protocol == SocketNames.IPPROTO_UDP || protocol == 136;
            if (streamOnly && type != SocketNames.SOCK_STREAM) {
                return SocketNames.protocolName(SocketNames.AF_INET, protocol) + " sockets are stream sockets, not "
                        + SocketNames.typeName(type);
            }
            if (dgramOnly && type != SocketNames.SOCK_DGRAM) {
                return SocketNames.protocolName(SocketNames.AF_INET, protocol) + " sockets are dgram sockets, not "
                        + SocketNames.typeName(type);
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ scopes and DNS

    private Scopes scopes(Member m, JObject root) {
        if (m == null) {
            return new Scopes(EnumSet.allOf(Scope.class), false, root.at());
        }
        Json v = m.value();
        if (!(v instanceof JArray array)) {
            problem(v, "scopes", "must be a list, not " + render(v),
                    "write \"scopes\": [\"abstract-unix-socket\", \"signal\"], or [] for none");
            return new Scopes(EnumSet.allOf(Scope.class), true, v.at());
        }
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        List<String> names = new ArrayList<>();
        for (Scope s : Scope.values()) {
            names.add(s.policyName());
        }
        for (int i = 0; i < array.elements().size(); i++) {
            Json e = array.elements().get(i);
            if (e instanceof JString s && Scope.byPolicyName(s.value()) != null) {
                scopes.add(Scope.byPolicyName(s.value()));
            } else {
                String written = e instanceof JString s ? s.value() : null;
                String suggestion = written == null ? null : Suggest.closest(written, names);
                problem(e, "scopes[" + i + "]", "unknown scope " + render(e),
                        (suggestion != null ? "did you mean \"" + suggestion + "\"? " : "") + "use " + quoted(names));
            }
        }
        return new Scopes(scopes, true, v.at());
    }

    private Attach attach(Member m) {
        if (m == null) {
            return Attach.OFF;
        }
        if (m.value() instanceof JBoolean b) {
            return new Attach(b.value(), m.value().at());
        }
        problem(m.value(), "attach", "must be true or false, not " + render(m.value()),
                "write \"attach\": true to let jcmd, jstack and JMC attach to this JVM");
        return Attach.OFF;
    }

    /** A binary class name ({@code a.b.C$D}) or a package followed by {@code .*}; no regex on the start-up path. */
    private static boolean exitCodeName(String name) {
        String n = name.endsWith(".*") ? name.substring(0, name.length() - 2) : name;
        for (String part : n.split("\\.", -1)) {
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.charAt(0))) {
                return false;
            }
            for (int i = 1; i < part.length(); i++) {
                if (!Character.isJavaIdentifierPart(part.charAt(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code "exit"}: "allow" (the default), "deny", or {"allow": [class or package.*, ...]}. */
    private ExitRule exit(Member m) {
        if (m == null) {
            return ExitRule.UNCONTROLLED;
        }
        Json v = m.value();
        String example = "write \"exit\": \"deny\", or \"exit\": {\"allow\": [\"com.example.Main\", \"com.example.cli.*\"]}";
        if (v instanceof JString str) {
            if (str.value().equals("allow")) {
                return ExitRule.UNCONTROLLED;
            }
            if (str.value().equals("deny")) {
                return new ExitRule(true, List.of(), v.at());
            }
            problem(v, "exit", "must be \"allow\", \"deny\" or an object with \"allow\", not " + render(v), example);
            return ExitRule.UNCONTROLLED;
        }
        if (!(v instanceof JObject obj)) {
            problem(v, "exit", "must be \"allow\", \"deny\" or an object with \"allow\", not " + render(v), example);
            return ExitRule.UNCONTROLLED;
        }
        checkKeys(obj, "exit", List.of("allow"));
        Member allow = obj.member("allow");
        if (allow == null) {
            return new ExitRule(true, List.of(), v.at());
        }
        if (!(allow.value() instanceof JArray array)) {
            problem(allow.value(), "exit.allow", "must be a list of class names and packages, not " + render(allow.value()), example);
            return new ExitRule(true, List.of(), v.at());
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < array.elements().size(); i++) {
            Json e = array.elements().get(i);
            String key = "exit.allow[" + i + "]";
            if (!(e instanceof JString s) || !exitCodeName(s.value())) {
                problem(e, key, "must be a class name (com.example.Main) or a package (com.example.*), not " + render(e),
                        "write the binary name of the class that calls System.exit, or its package followed by .*");
                continue;
            }
            names.add(s.value());
        }
        return new ExitRule(true, names, v.at());
    }

    /** {@code "learning": false} forbids learn runs over this policy (confine.LearnStart reads it). */
    private boolean learning(Member m) {
        if (m == null) {
            return true;
        }
        if (!(m.value() instanceof JBoolean b)) {
            problem(m.value(), "learning", "must be true or false, not " + render(m.value()),
                    "write \"learning\": false to refuse learn runs that would write into this policy");
            return true;
        }
        return b.value();
    }

    private Dns dns(Member m) {
        if (m == null) {
            return Dns.OFF;
        }
        if (m.value() instanceof JBoolean b) {
            return new Dns(b.value() ? Dns.Mode.FULL : Dns.Mode.OFF, m.value().at());
        }
        if (m.value() instanceof JString str && str.value().equals("hosts")) {
            return new Dns(Dns.Mode.HOSTS, m.value().at());
        }
        problem(m.value(), "dns", "must be true, false or \"hosts\", not " + render(m.value()),
                "write \"dns\": \"hosts\" to resolve the names in /etc/hosts only, or \"dns\": true to ask DNS servers too");
        return Dns.OFF;
    }

    // ------------------------------------------------------------------ privileges

    private Capabilities capabilities(Member m) {
        if (m == null) {
            return Capabilities.NONE;
        }
        Json v = m.value();
        String example = "write \"capabilities\": [\"net_bind_service\"], or [] for none";
        if (!(v instanceof JArray array)) {
            problem(v, "capabilities", "must be a list of capability names, not " + render(v), example);
            return Capabilities.NONE;
        }
        List<String> names = new ArrayList<>();
        for (Capability c : Capability.values()) {
            names.add(c.policyName());
        }
        Set<Capability> kept = EnumSet.noneOf(Capability.class);
        for (int i = 0; i < array.elements().size(); i++) {
            Json e = array.elements().get(i);
            Capability c = e instanceof JString s ? Capability.byName(s.value()) : null;
            if (c != null) {
                kept.add(c);
                continue;
            }
            String written = e instanceof JString s ? s.value().toLowerCase(java.util.Locale.ROOT).replaceFirst("^cap_", "") : null;
            String suggestion = written == null ? null : Suggest.closest(written, names);
            problem(e, "capabilities[" + i + "]", "unknown capability " + render(e),
                    (suggestion != null ? "did you mean \"" + suggestion + "\"? " : "")
                            + "use the names of capabilities(7) in lower case without CAP_, such as \"net_bind_service\"");
        }
        return new Capabilities(Set.copyOf(kept), v.at());
    }

    private SyscallRules syscalls(Member m) {
        if (m == null) {
            return SyscallRules.NONE;
        }
        Json v = m.value();
        String example = "write \"syscalls\": {\"allow\": [\"perf_event_open\"]}";
        if (!(v instanceof JObject obj)) {
            problem(v, "syscalls", "must be an object, not " + render(v), example);
            return SyscallRules.NONE;
        }
        checkKeys(obj, "syscalls", List.of("allow"));
        Member allow = obj.member("allow");
        if (allow == null) {
            return new SyscallRules(Set.of(), v.at());
        }
        if (!(allow.value() instanceof JArray array)) {
            problem(allow.value(), "syscalls.allow", "must be a list of syscall or group names, not " + render(allow.value()),
                    example);
            return new SyscallRules(Set.of(), v.at());
        }
        List<String> allowable = PrivilegedSyscalls.allowableNames();
        Set<String> allowed = new java.util.LinkedHashSet<>();
        for (int i = 0; i < array.elements().size(); i++) {
            Json e = array.elements().get(i);
            String key = "syscalls.allow[" + i + "]";
            if (!(e instanceof JString s)) {
                problem(e, key, "must be a string, not " + render(e), example);
                continue;
            }
            if (allowable.contains(s.value())) {
                allowed.add(s.value());
                continue;
            }
            PrivilegedSyscalls.Group partly = PrivilegedSyscalls.argumentGroupOf(s.value());
            if (partly != null) {
                problem(e, key, "\"" + s.value() + "\" is not denied as a whole: only its use to "
                        + partly.why() + " is (" + partly.name() + ")", "to allow that, write \"" + partly.name() + "\"");
                continue;
            }
            String suggestion = Suggest.closest(s.value(), allowable);
            problem(e, key, "\"" + s.value() + "\" is not a privileged syscall the agent denies (list "
                    + PrivilegedSyscalls.LIST_VERSION + " in docs/policy.md); every other syscall is allowed already",
                    (suggestion != null ? "did you mean \"" + suggestion + "\"? " : "") + "remove it, or use a name from that list");
        }
        return new SyscallRules(Set.copyOf(allowed), v.at());
    }

    // ------------------------------------------------------------------ helpers

    private List<JString> stringOrStrings(Json v, String key, String example) {
        if (v instanceof JString s) {
            return List.of(s);
        }
        if (v instanceof JArray a) {
            List<JString> out = new ArrayList<>();
            for (int i = 0; i < a.elements().size(); i++) {
                Json e = a.elements().get(i);
                if (e instanceof JString s) {
                    out.add(s);
                } else {
                    problem(e, key + "[" + i + "]", "must be a string, not " + render(e), example);
                }
            }
            return out;
        }
        problem(v, key, "must be a string or a list of strings, not " + render(v), example);
        return null;
    }

    private static List<String> firstNames(Map<String, Integer> names, int n) {
        return names.keySet().stream().limit(n).toList();
    }

    private static String quoted(List<String> names) {
        return "\"" + String.join("\", \"", names) + "\"";
    }

    private static String article(String typeName) {
        return switch (typeName) {
            case "object", "array" -> "an " + typeName;
            default -> "a " + typeName;
        };
    }

    /** A short rendering of a value for messages. */
    private static String render(Json v) {
        // if/else rather than a type switch: a pattern switch bootstraps method handles on a cold JVM.
        if (v instanceof JString s) {
            return "\"" + (s.value().length() > 40 ? s.value().substring(0, 40) + "..." : s.value()) + "\"";
        }
        if (v instanceof JNumber n) {
            return n.text();
        }
        if (v instanceof JBoolean b) {
            return Boolean.toString(b.value());
        }
        if (v instanceof JArray) {
            return "a list";
        }
        return v instanceof JObject ? "an object" : "null";
    }
}
