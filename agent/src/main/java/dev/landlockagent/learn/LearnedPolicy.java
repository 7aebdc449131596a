package dev.landlockagent.learn;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.linux.SocketNames;
import dev.landlockagent.plan.Planner;
import dev.landlockagent.plan.SocketKind;
import dev.landlockagent.policy.AccessNames;
import dev.landlockagent.policy.JsonReader;
import dev.landlockagent.policy.JsonTree;
import dev.landlockagent.policy.Policy;
import dev.landlockagent.policy.PolicyContext;
import dev.landlockagent.policy.PolicyException;
import dev.landlockagent.policy.PolicyParser;
import dev.landlockagent.policy.Substitutions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a learn run writes: the policy that allows what the run needed and nothing the JVM
 * baseline already gives, merged into the policy file if there is one (never widening a rule
 * without saying so), and a report of the first code that needed each rule. The rules are the
 * needs themselves, with the documented collapses only (docs/learn.md):
 * <ul>
 * <li>what the run made (files, folders, sockets) and everything beneath it is granted on the
 *     nearest folder that existed before: a rule can only name what exists;</li>
 * <li>a folder with {@value #FOLDER_THRESHOLD} or more files that were only read becomes one read rule;</li>
 * <li>asking DNS servers is {@code "dns": true}, reading only the hosts file {@code "dns": "hosts"};</li>
 * <li>paths beneath a substitution's folder are written with it ({@code ${java.io.tmpdir}/...}).</li>
 * </ul>
 */
final class LearnedPolicy {
    static final int FOLDER_THRESHOLD = 8;
    private static final String[] SCOPES = {"abstract-unix-socket", "signal"};

    record Context(LearnArgument argument, List<LearnRun.Grant> baseline, Map<String, Path> substitutions, int abi,
                   long jvmPid) {
        int effectiveAbi() {
            return abi <= 0 ? LandlockAbi.NEWEST_KNOWN : abi;
        }
    }

    record Result(List<String> summary) {
    }

    /** One line of the report: the rule, what happened to it, and who needed it first. */
    private record Change(String rule, String status, Recording.Origin origin) {
    }

    // ------------------------------------------------------------------ what the run needed

    private final Context ctx;
    private final Map<Path, Long> folders = new LinkedHashMap<>();
    private final Map<Path, Long> files = new LinkedHashMap<>();
    private final Map<Path, Recording.Origin> pathOrigins = new LinkedHashMap<>();
    private final Map<String, TreeMap<Integer, Recording.Origin>> ports = new LinkedHashMap<>();
    private final Map<List<Integer>, Recording.Origin> sockets = new LinkedHashMap<>();
    private String dns;
    private Recording.Origin dnsOrigin;
    private Recording.Origin unixListen;
    private final Map<String, Recording.Origin> droppedScopes = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    /** Rules on a folder above one the run made, and how to narrow them. */
    private final Set<String> narrowing = new LinkedHashSet<>();
    private final List<Change> changes = new ArrayList<>();

    private LearnedPolicy(Context ctx) {
        this.ctx = ctx;
    }

    /**
     * Writes the policy and its report. {@code original} is the policy file as it was when the run
     * started (null: there was none): every write of a run merges into it, so the report of the
     * last write lists everything the run added.
     */
    static Result write(Map<Need, Recording.Origin> needs, Context ctx, byte[] original, long missed) throws IOException {
        LearnedPolicy l = new LearnedPolicy(ctx);
        l.learn(needs);
        Path file = ctx.argument().policy();
        boolean existed = original != null;
        Map<String, Object> root = existed ? l.read(original) : fresh();
        l.merge(root);
        String json = JsonTree.print(root);
        l.validate(json);
        writeAtomically(file, json);
        writeAtomically(ctx.argument().report(), l.report(missed));
        List<String> summary = new ArrayList<>();
        long added = l.changes.stream().filter(c -> c.status().equals("added")).count();
        long widened = l.changes.stream().filter(c -> c.status().startsWith("widened")).count();
        summary.add((existed ? "merged into " : "wrote ") + file + ": " + added + " rule(s) added"
                + (widened > 0 ? ", " + widened + " widened" : "") + "; report: " + ctx.argument().report());
        for (Change c : l.changes) {
            if (!c.status().equals("allowed already")) {
                summary.add("  " + c.status() + ": " + c.rule() + "  <- " + c.origin().describe());
            }
        }
        return new Result(summary);
    }

    private static Map<String, Object> fresh() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", 1L);
        root.put("jvm", "auto");
        return root;
    }

    private void learn(Map<Need, Recording.Origin> needs) {
        long supported = 0;
        for (AccessFs a : AccessFs.values()) {
            if (a.sinceAbi() <= ctx.effectiveAbi()) {
                supported |= a.mask();
            }
        }
        Set<Path> made = new LinkedHashSet<>();
        Set<String> boundAbstract = new LinkedHashSet<>();
        for (Need n : needs.keySet()) {
            if (n instanceof Need.Made m) {
                made.add(m.path());
            } else if (n instanceof Need.Unix u && u.abstractName() && u.direction().equals("bind")) {
                boundAbstract.add(u.name());
            }
        }
        List<LearnRun.Grant> baseline = realBaseline();
        boolean resolver = needs.keySet().stream().anyMatch(n -> n instanceof Need.Resolver);
        for (Map.Entry<Need, Recording.Origin> e : needs.entrySet()) {
            Recording.Origin origin = e.getValue();
            switch (e.getKey()) {
                case Need.OnPath p -> {
                    long rights = p.rights() & supported;
                    if (rights == 0 || covered(baseline, p.path(), rights) || perProcess(p.path())) {
                        continue;
                    }
                    Path anchor = anchor(p.path(), made);
                    if (!anchor.equals(p.path()) && (rights & ~AccessFs.MAKE_DIR.mask()) != 0) {
                        Path top = anchor.resolve(p.path().getName(anchor.getNameCount()));
                        if (Files.isDirectory(top, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            narrowing.add(top + " was made by the run and is still there: what the run did beneath it is allowed on "
                                    + anchor + ", the nearest folder that existed before, so the rule lets the JVM make"
                                    + " files anywhere in " + anchor + ". To narrow it to " + top + ", create that folder"
                                    + " before the JVM starts (in the image or the service's set-up) and learn again");
                        }
                    }
                    boolean folderRights = (rights & ~AccessFs.fileRights()) != 0;
                    if (!anchor.equals(p.path()) || folderRights) {
                        add(folders, anchor, rights, origin);
                    } else {
                        add(files, anchor, rights, origin);
                    }
                }
                case Need.Resolver r -> {
                    dns = "true";
                    dnsOrigin = dnsOrigin == null ? origin : dnsOrigin;
                }
                case Need.Socket s -> socket(s, origin);
                case Need.Port p -> {
                    if (p.transport().equals("udp") && ctx.effectiveAbi() < 10) {
                        note("UDP port " + p.port() + " (" + p.direction() + "): this kernel's Landlock (ABI " + ctx.abi()
                                + ") cannot restrict UDP ports, so no rule is written; on Linux 7.2 (ABI 10) add"
                                + " \"network\": {\"udp\": {\"" + p.direction() + "\": [" + p.port() + "]}}");
                        continue;
                    }
                    if (p.direction().equals("connect") && p.port() == 0) {
                        continue;
                    }
                    if (p.direction().equals("connect") && needs.containsKey(new Need.Port(p.transport(), "bind", 0))
                            && ephemeral(p.port())) {
                        note(p.transport().toUpperCase(java.util.Locale.ROOT) + " connect to port " + p.port()
                                + ", in the kernel's ephemeral range, while the run also bound an ephemeral port: if the"
                                + " application connects to itself, that port changes from run to run, and the rule"
                                + " written for it will not match the next one");
                    }
                    ports.computeIfAbsent(p.transport() + "." + p.direction(), k -> new TreeMap<>()).putIfAbsent(p.port(), origin);
                }
                case Need.Unix u -> {
                    if (u.direction().equals("connect")) {
                        if (u.abstractName()) {
                            if (!boundAbstract.contains(u.name())) {
                                droppedScopes.putIfAbsent(SCOPES[0], origin);
                            }
                        } else if (ctx.effectiveAbi() >= 9) {
                            Path folder = Path.of(u.name()).getParent();
                            if (!covered(baseline, folder, AccessFs.RESOLVE_UNIX.mask())) {
                                add(folders, folder, AccessFs.RESOLVE_UNIX.mask(), origin);
                            }
                        } else {
                            note("connect to the UNIX socket " + u.name() + ": this kernel's Landlock (ABI " + ctx.abi()
                                    + ") does not restrict it; from Linux 7.1 (ABI 9) it needs \"resolve_unix\" on "
                                    + Path.of(u.name()).getParent());
                        }
                    } else if (unixListen == null) {
                        unixListen = origin;
                    }
                }
                case Need.Signal s -> droppedScopes.putIfAbsent(SCOPES[1], origin);
                case Need.Made m -> {
                }
            }
        }
        if (ports.containsKey("tcp.listen")) {
            TreeMap<Integer, Recording.Origin> listen = ports.remove("tcp.listen");
            if (!ports.containsKey("tcp.bind")) {
                // listen(2) without bind(2) takes a port the kernel picks: the filter keeps listen for a bind rule
                ports.computeIfAbsent("tcp.bind", k -> new TreeMap<>()).put(0, listen.firstEntry().getValue());
            }
        }
        Path hosts = real(Path.of("/etc/hosts"));
        if (dns == null && files.containsKey(hosts)) {
            dns = "hosts";
            dnsOrigin = pathOrigins.get(hosts);
        }
        if (dns != null) {
            for (String f : Planner.HOSTS_FILES) { // what "dns" allows (the planner's own lists)
                files.remove(real(Path.of(f)));
            }
            if (resolver) {
                for (String f : Planner.RESOLVER_FILES) {
                    files.remove(real(Path.of(f)));
                }
            }
        }
        collapseReadFolders();
    }

    private void note(String text) {
        if (text.startsWith("files in /proc/<pid>") && notes.stream().anyMatch(n -> n.startsWith("files in /proc/<pid>"))) {
            return;
        }
        if (!notes.contains(text)) {
            notes.add(text);
        }
    }

    private void add(Map<Path, Long> rules, Path path, long rights, Recording.Origin origin) {
        rules.merge(path, rights, (a, b) -> a | b);
        pathOrigins.putIfAbsent(path, origin);
    }

    /** Whether a port is in the range the kernel picks ephemeral ports from. */
    private static boolean ephemeral(int port) {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return port >= Integer.parseInt(range[0]) && port <= Integer.parseInt(range[1]);
        } catch (IOException | RuntimeException e) {
            return port >= 32768 && port <= 60999;
        }
    }

    /** The folder a rule can name for {@code path}: above everything the run made. */
    private static Path anchor(Path path, Set<Path> made) {
        Path top = null;
        for (Path a = path; a != null; a = a.getParent()) {
            if (made.contains(a)) {
                top = a;
            }
        }
        return top == null || top.getParent() == null ? path : top.getParent();
    }

    /** Another process's /proc folder: it names a pid of this run only. */
    private boolean perProcess(Path p) {
        if (p.getNameCount() >= 2 && p.startsWith("/proc") && p.getName(1).toString().chars().allMatch(Character::isDigit)) {
            note("files in /proc/<pid> of processes the JVM started (such as " + p + "): not written, they name this"
                    + " run's pids only (a child reads its own /proc/self, which its policy cannot name)");
            return true;
        }
        return false;
    }

    private List<LearnRun.Grant> realBaseline() {
        List<LearnRun.Grant> out = new ArrayList<>();
        for (LearnRun.Grant g : ctx.baseline()) {
            out.add(new LearnRun.Grant(real(g.path()), g.access()));
        }
        return out;
    }

    private static boolean covered(List<LearnRun.Grant> grants, Path path, long rights) {
        long granted = 0;
        for (LearnRun.Grant g : grants) {
            if (path.equals(g.path()) || (path.startsWith(g.path()) && Files.isDirectory(g.path()))) {
                granted |= g.access();
            }
        }
        return (rights & ~granted) == 0;
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private void socket(Need.Socket s, Recording.Origin origin) {
        int protocol = s.protocol();
        if (s.pair() && s.domain() == SocketNames.AF_UNIX && s.type() == SocketNames.SOCK_STREAM) {
            return; // the JVM baseline's socketpair
        }
        if (SocketNames.isInet(s.domain()) && protocol == 0) {
            protocol = SocketNames.defaultProtocol(s.domain(), s.type());
        }
        if (SocketNames.isInet(s.domain()) && s.type() == SocketNames.SOCK_STREAM && protocol != SocketNames.IPPROTO_TCP) {
            note("the application created " + SocketNames.domainName(s.domain()) + " stream sockets of protocol "
                    + SocketNames.protocolName(s.domain(), protocol) + ", which Landlock's TCP port rules do not cover:"
                    + " not written; a policy that allows them must be \"best-effort\" or allow TCP ports \"unrestricted\"");
            return;
        }
        sockets.putIfAbsent(List.of(s.domain(), s.type(), s.domain() == SocketNames.AF_UNIX ? -1 : protocol), origin);
    }

    /** A folder of {@value #FOLDER_THRESHOLD} or more files that were only read is one rule. */
    private void collapseReadFolders() {
        Map<Path, List<Path>> byFolder = new LinkedHashMap<>();
        for (Map.Entry<Path, Long> f : files.entrySet()) {
            if (f.getValue() == AccessFs.READ_FILE.mask() && f.getKey().getParent() != null) {
                byFolder.computeIfAbsent(f.getKey().getParent(), k -> new ArrayList<>()).add(f.getKey());
            }
        }
        for (Map.Entry<Path, List<Path>> e : byFolder.entrySet()) {
            if (e.getValue().size() >= FOLDER_THRESHOLD) {
                Recording.Origin first = pathOrigins.get(e.getValue().get(0));
                for (Path p : e.getValue()) {
                    files.remove(p);
                }
                add(folders, e.getKey(), AccessFs.READ_FILE.mask(), first);
            }
        }
    }

    // ------------------------------------------------------------------ into the policy

    /** A rule of the policy being written, resolved as the kernel will see it. */
    private record Existing(Path path, long rights, boolean folder, Map<String, Object> node) {
    }

    private final List<Existing> existing = new ArrayList<>();
    private PolicyContext policyContext;

    private PolicyContext policyContext() {
        if (policyContext == null) {
            Map<String, Path> s = ctx.substitutions();
            policyContext = PolicyContext.of(s.get("java.home"), s.get("java.io.tmpdir"), s.get("user.home"),
                    s.get("user.dir"), s.get("app.dir"), ctx.argument().policy().getParent(), System.getenv());
        }
        return policyContext;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> read(byte[] bytes) throws IOException {
        Path file = ctx.argument().policy();
        try {
            PolicyParser.parse(bytes, file.toString(), policyContext());
            Object tree = JsonTree.of(JsonReader.read(bytes, file.toString()));
            return (Map<String, Object>) tree;
        } catch (PolicyException e) {
            throw new IOException("the policy to merge into is invalid, so nothing was written: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private void merge(Map<String, Object> root) throws IOException {
        Object fs = root.get("filesystem");
        if (!"unrestricted".equals(fs)) {
            List<Object> rules = fs instanceof List<?> l ? (List<Object>) l : new ArrayList<>();
            for (Object r : rules) {
                if (r instanceof Map<?, ?> m) {
                    resolveExisting((Map<String, Object>) m);
                }
            }
            List<Map.Entry<Path, Long>> learned = new ArrayList<>(folders.entrySet());
            learned.sort(Comparator.comparingInt(e -> e.getKey().getNameCount()));
            for (Map.Entry<Path, Long> e : learned) {
                pathRule(rules, e.getKey(), e.getValue(), true);
            }
            for (Map.Entry<Path, Long> e : files.entrySet()) {
                pathRule(rules, e.getKey(), e.getValue(), false);
            }
            if (!rules.isEmpty() || root.containsKey("filesystem")) {
                root.put("filesystem", rules);
            }
        }
        if (!"unrestricted".equals(root.get("network"))) {
            for (Map.Entry<String, TreeMap<Integer, Recording.Origin>> e : ports.entrySet()) {
                String[] td = e.getKey().split("\\.");
                for (Map.Entry<Integer, Recording.Origin> p : e.getValue().entrySet()) {
                    portRule(root, td[0], td[1], p.getKey(), p.getValue());
                }
            }
            if (unixListen != null) {
                Map<String, Object> network = child(root, "network");
                Map<String, Object> unix = child(network, "unix");
                if (!Boolean.TRUE.equals(unix.get("listen"))) {
                    unix.put("listen", true);
                    changes.add(new Change("\"network\": {\"unix\": {\"listen\": true}}", "added", unixListen));
                }
            }
        }
        if (dns != null) {
            Object was = root.get("dns");
            boolean wider = dns.equals("true") ? !Boolean.TRUE.equals(was) : (was == null || Boolean.FALSE.equals(was));
            if (wider) {
                root.put("dns", dns.equals("true") ? (Object) Boolean.TRUE : "hosts");
                changes.add(new Change("\"dns\": " + (dns.equals("true") ? "true" : "\"hosts\""),
                        was == null ? "added" : "widened (was " + JsonTree.inline(was) + ")", dnsOrigin));
            }
        }
        socketRules(root);
        if (!droppedScopes.isEmpty()) {
            Object was = root.get("scopes");
            List<Object> scopes = was instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>(List.of((Object[]) SCOPES));
            for (Map.Entry<String, Recording.Origin> d : droppedScopes.entrySet()) {
                if (scopes.remove(d.getKey())) {
                    changes.add(new Change("\"scopes\" without \"" + d.getKey() + "\"", "widened", d.getValue()));
                }
            }
            root.put("scopes", scopes);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        parent.put(key, m);
        return m;
    }

    private void resolveExisting(Map<String, Object> node) {
        if (!(node.get("path") instanceof String written)) {
            return;
        }
        try {
            Path p = Path.of(Substitutions.expand(written, policyContext()));
            if (!p.isAbsolute()) {
                p = ctx.argument().policy().getParent().resolve(p);
            }
            p = real(p);
            long rights = 0;
            Object allow = node.get("allow");
            for (Object name : allow instanceof List<?> l ? l : List.of(String.valueOf(allow))) {
                long r = AccessNames.rights(String.valueOf(name));
                rights |= r < 0 ? 0 : r;
            }
            boolean folder = Files.isDirectory(p);
            existing.add(new Existing(p, folder ? rights : rights & AccessFs.fileRights(), folder, node));
        } catch (Substitutions.SubstitutionException e) {
            // the parser accepted it, so it resolves; nothing to match against otherwise
        }
    }

    private void pathRule(List<Object> rules, Path path, long rights, boolean folder) {
        long granted = 0;
        Existing same = null;
        for (Existing e : existing) {
            if (e.path().equals(path)) {
                granted |= e.rights();
                same = e;
            } else if (e.folder() && path.startsWith(e.path())) {
                granted |= e.rights();
            }
        }
        Recording.Origin origin = pathOrigins.getOrDefault(path, Recording.Origin.UNKNOWN);
        String shown = render(path);
        if ((rights & ~granted) == 0) {
            changes.add(new Change(rule(shown, rights, folder), "allowed already", origin));
            return;
        }
        if (same != null) {
            long all = same.rights() | rights;
            same.node().put("allow", names(all, same.folder()));
            existing.remove(same);
            existing.add(new Existing(path, all, same.folder(), same.node()));
            changes.add(new Change(rule(shown, all, same.folder()), "widened (was " + JsonTree.inline(names(same.rights(), same.folder())) + ")", origin));
            return;
        }
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("path", shown);
        node.put("allow", names(rights, folder));
        rules.add(node);
        existing.add(new Existing(path, rights, folder, node));
        changes.add(new Change(rule(shown, rights, folder), "added", origin));
    }

    private static String rule(String path, long rights, boolean folder) {
        return "{\"path\": " + JsonTree.quote(path) + ", \"allow\": " + JsonTree.inline(names(rights, folder)) + "}";
    }

    /** The rights by name: "read" and "write" where the whole group was needed, kernel names for the rest. */
    static List<Object> names(long rights, boolean folder) {
        List<Object> out = new ArrayList<>();
        long left = rights;
        long read = folder ? AccessNames.READ : AccessFs.READ_FILE.mask();
        if ((left & read) == read) {
            out.add("read");
            left &= ~read;
        }
        long write = AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask();
        if (!folder && (left & write) == write) {
            out.add("write");
            left &= ~write;
        }
        if ((left & AccessFs.EXECUTE.mask()) != 0) {
            out.add("execute");
            left &= ~AccessFs.EXECUTE.mask();
        }
        for (AccessFs a : AccessFs.of(left)) {
            out.add(a.kernelName());
        }
        return out;
    }

    /** The path with the longest substitution that holds it: {@code ${java.io.tmpdir}/app}. */
    String render(Path path) {
        String best = null;
        int bestLength = 0;
        for (Map.Entry<String, Path> s : ctx.substitutions().entrySet()) {
            if (s.getValue() == null) {
                continue;
            }
            Path value = real(s.getValue());
            if (value.getNameCount() == 0 || !path.startsWith(value) || value.toString().length() <= bestLength) {
                continue;
            }
            best = "${" + s.getKey() + "}" + path.toString().substring(value.toString().length());
            bestLength = value.toString().length();
        }
        return best == null ? path.toString() : best;
    }

    @SuppressWarnings("unchecked")
    private void portRule(Map<String, Object> root, String transport, String direction, int port, Recording.Origin origin) {
        Map<String, Object> network = child(root, "network");
        if ("unrestricted".equals(network.get(transport))) {
            return;
        }
        Map<String, Object> t = child(network, transport);
        Object list = t.get(direction);
        if ("unrestricted".equals(list)) {
            return;
        }
        List<Object> l = list instanceof List<?> existingList ? (List<Object>) existingList : new ArrayList<>();
        for (Object o : l) {
            if (o instanceof Long n && n == port) {
                return;
            }
            if (o instanceof String range && range.contains("-")) {
                String[] r = range.split("-");
                try {
                    if (port >= Integer.parseInt(r[0].strip()) && port <= Integer.parseInt(r[1].strip())) {
                        return;
                    }
                } catch (NumberFormatException e) {
                    // not a range
                }
            }
        }
        l.add((long) port);
        t.put(direction, l);
        changes.add(new Change("\"network\": {\"" + transport + "\": {\"" + direction + "\": [" + port + "]}}", "added", origin));
    }

    /**
     * Socket kinds: listed only where {@code network} and {@code dns} do not already allow them, as
     * the planner reads the policy merged so far ({@link Planner#impliedSocketKinds}).
     */
    @SuppressWarnings("unchecked")
    private void socketRules(Map<String, Object> root) throws IOException {
        Object was = root.get("sockets");
        if ("unrestricted".equals(was)) {
            return;
        }
        Policy merged = parse(JsonTree.print(root));
        List<SocketKind> implied = Planner.impliedSocketKinds(merged);
        List<SocketKind> dns = Planner.dnsSocketKinds(merged);
        List<Object> rules = was instanceof List<?> l ? (List<Object>) l : null;
        for (Map.Entry<List<Integer>, Recording.Origin> s : sockets.entrySet()) {
            List<Integer> k = s.getKey();
            boolean covered = rules == null ? matchesAny(implied, k) : listed(rules, k) || matchesAny(dns, k);
            if (covered) {
                continue;
            }
            if (rules == null) {
                rules = new ArrayList<>();
                for (SocketKind i : implied) {
                    if (!dns.contains(i)) {
                        rules.add(socketNode(List.of(i.domain(), i.type(), i.protocol() == null ? -1 : i.protocol())));
                    }
                }
                root.put("sockets", rules);
            }
            rules.add(socketNode(k));
            changes.add(new Change("\"sockets\": " + JsonTree.inline(socketNode(k)), "added", s.getValue()));
        }
    }

    /** Recorded kinds carry the protocol socket(2) was given; -1 stands for any. */
    private static boolean matchesAny(List<SocketKind> kinds, List<Integer> k) {
        return kinds.stream().anyMatch(i -> k.get(2) == -1 ? i.protocol() == null && i.domain() == k.get(0) && i.type() == k.get(1)
                : i.matches(k.get(0), k.get(1), k.get(2)));
    }

    private static boolean listed(List<Object> rules, List<Integer> kind) {
        for (Object r : rules) {
            if (r instanceof Map<?, ?> m && matchesName(m.get("domain"), kind.get(0), SocketNames.DOMAINS)
                    && matchesName(m.get("type"), kind.get(1), SocketNames.TYPES)
                    && (m.get("protocol") == null || protocolOf(m.get("protocol"), kind.get(0)) == kind.get(2))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesName(Object written, int value, Map<String, Integer> names) {
        for (Object o : written instanceof List<?> l ? l : List.of(String.valueOf(written))) {
            Integer n = o instanceof Long v ? Integer.valueOf(v.intValue()) : names.get(String.valueOf(o));
            if (n != null && n == value) {
                return true;
            }
        }
        return false;
    }

    private static int protocolOf(Object written, int domain) {
        if (written instanceof Long v) {
            return v.intValue();
        }
        Map<String, Integer> names = domain == SocketNames.AF_NETLINK ? SocketNames.NETLINK_PROTOCOLS : SocketNames.IP_PROTOCOLS;
        Integer n = names.get(String.valueOf(written));
        return n == null ? -2 : n;
    }

    private static Map<String, Object> socketNode(List<Integer> k) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("domain", SocketNames.domainName(k.get(0)));
        node.put("type", SocketNames.typeName(k.get(1)));
        if (k.get(2) != -1) {
            String name = SocketNames.protocolName(k.get(0), k.get(2));
            node.put("protocol", Character.isDigit(name.charAt(0)) ? (Object) Long.parseLong(name) : name);
        }
        return node;
    }

    // ------------------------------------------------------------------ checks and files

    private void validate(String json) throws IOException {
        parse(json);
    }

    private Policy parse(String json) throws IOException {
        try {
            return PolicyParser.parse(json.getBytes(StandardCharsets.UTF_8), ctx.argument().policy().toString(), policyContext());
        } catch (PolicyException e) {
            Path invalid = ctx.argument().policy().resolveSibling(ctx.argument().policy().getFileName() + ".invalid");
            writeAtomically(invalid, json);
            throw new IOException("the learned policy is invalid (kept in " + invalid + " for a bug report): " + e.getMessage());
        }
    }

    private String report(long missed) {
        StringBuilder b = new StringBuilder();
        b.append("# What the learn run needed\n\n");
        b.append("Policy: `").append(ctx.argument().policy()).append("`, written ").append(Instant.now())
                .append(" from the run of JVM pid ").append(ctx.jvmPid()).append(". Each rule with the first code that needed it.\n\n");
        b.append("| rule | status | first needed by | thread |\n|---|---|---|---|\n");
        for (Change c : changes) {
            b.append("| `").append(c.rule().replace("|", "\\|")).append("` | ").append(c.status()).append(" | ")
                    .append(c.origin().code().replace("|", "\\|")).append(" | ").append(c.origin().thread()).append(" |\n");
        }
        if (!notes.isEmpty()) {
            b.append("\n## Seen, but not written\n\n");
            for (String n : notes) {
                b.append("- ").append(n).append('\n');
            }
        }
        if (!narrowing.isEmpty()) {
            b.append("\n## Rules to narrow\n\n");
            for (String n : narrowing) {
                b.append("- ").append(n).append('\n');
            }
        }
        b.append("\n## What a learn run does not see\n\n");
        b.append("- what the JVM did before the agent ran (the JVM baseline, `\"jvm\": \"auto\"`, covers it);\n");
        b.append("- the files and ports of x32 and 32-bit (i386, 32-bit ARM) programs: only their socket kinds are recorded;\n");
        b.append("- io_uring operations, and ioctl(2) on devices;\n");
        b.append("- code paths this run did not take: run the workload that matters, and merge more runs.\n");
        if (missed > 0) {
            b.append("\n").append(missed).append(" syscall(s) could not be read (their thread ended first).\n");
        }
        return b.toString();
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
