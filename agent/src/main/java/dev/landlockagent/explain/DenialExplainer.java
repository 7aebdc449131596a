package dev.landlockagent.explain;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.AccessNet;
import dev.landlockagent.linux.Capability;
import dev.landlockagent.plan.PortGrant;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.plan.SocketKind;
import dev.landlockagent.plan.SocketPlan;
import dev.landlockagent.linux.SocketNames;

import java.lang.reflect.Constructor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Explains a denied operation reported by the instrumented JDK funnels: judges it against this
 * JVM's plan, logs it (once per kind, then counts), records a JFR event, and returns an exception
 * of the class the JDK threw (so existing catch blocks behave as before) whose message names the
 * operation in kernel terms, the policy and the rule to add. Returns null to keep the JDK's own
 * exception: for failures that are not permission denials, and when anything goes wrong here.
 */
public final class DenialExplainer implements BiFunction<String, Object[], Throwable> {
    private static final String EACCES = "Permission denied";
    private static final String EPERM = "Operation not permitted";
    /** EROFS: what a write outside the writable paths meets first in the read-only view of a root JVM. */
    private static final String EROFS = "Read-only file system";

    private final Supplier<ExplainContext> contextSource;
    private volatile ExplainContext context;
    private final DenialLog log = new DenialLog();
    private final ThreadLocal<boolean[]> busy = new ThreadLocal<boolean[]>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    /** {@code context} is called once, at the first denial. */
    public DenialExplainer(Supplier<ExplainContext> context) {
        this.contextSource = context;
    }

    private ExplainContext context() {
        ExplainContext c = context;
        if (c == null) {
            synchronized (this) {
                c = context;
                if (c == null) {
                    c = contextSource.get();
                    context = c;
                }
            }
        }
        return c;
    }

    @Override
    public Throwable apply(String operation, Object[] args) {
        boolean[] inside = busy.get();
        if (inside[0]) {
            return null; // a denial while explaining one: keep the JDK's exception
        }
        inside[0] = true;
        try {
            Throwable thrown = (Throwable) args[args.length - 1];
            if (!operation.equals("dns.lookup") && !isPermissionDenial(thrown)) {
                return null;
            }
            ExplainContext ctx = context();
            Denial d = explain(operation, args, ctx.plan(), thrown);
            if (d == null) {
                return null;
            }
            log.record(d, ctx.policyOrigin());
            return rebuild(thrown, d.message(ctx.policyOrigin()), operation, d.byPolicy());
        } catch (RuntimeException | Error e) {
            return null;
        } finally {
            inside[0] = false;
        }
    }

    static boolean isPermissionDenial(Throwable t) {
        String m = t == null ? null : t.getMessage();
        if (t instanceof AccessDeniedException) {
            return true;
        }
        return m != null && (m.contains(EACCES) || m.contains(EPERM) || m.contains(EROFS));
    }

    Denial explain(String operation, Object[] a, RulesetPlan plan, Throwable thrown) {
        return switch (operation) {
            case "net.socket" -> socket(plan, inetDomain(plan, (ProtocolFamily) a[0]),
                    (Boolean) a[1] ? SocketNames.SOCK_STREAM : SocketNames.SOCK_DGRAM, 0);
            case "net.serverSocket" -> socket(plan, inetDomain(plan, (ProtocolFamily) a[0]), SocketNames.SOCK_STREAM, 0);
            case "net.bind" -> port(plan, true, (InetAddress) a[1], (Integer) a[2]);
            case "net.connect" -> port(plan, false, (InetAddress) a[1], (Integer) a[2]);
            case "udp.send" -> sendTo(port(plan, false, ((InetSocketAddress) a[0]).getAddress(), ((InetSocketAddress) a[0]).getPort()));
            case "unix.socket" -> socket(plan, SocketNames.AF_UNIX, SocketNames.SOCK_STREAM, 0);
            case "unix.bind" -> unixBind(plan, (Path) a[0]);
            case "unix.connect" -> unixConnect(plan, (Path) a[0]);
            case "sctp.socket" -> socket(plan, inetDomain(plan, null),
                    (Boolean) a[0] ? SocketNames.SOCK_STREAM : SocketNames.SOCK_SEQPACKET, SocketNames.IPPROTO_SCTP);
            case "sctp.connect", "sctp.bind" -> null;
            case "file.read" -> file(plan, (String) a[0], "open for reading", AccessFs.READ_FILE.mask(), false);
            case "file.write" -> fileWrite(plan, (String) a[0], (Boolean) a[1]);
            case "file.random" -> fileRandom(plan, (String) a[0], (Integer) a[1]);
            case "file.nio" -> fileNio(plan, (String) a[0], (String) a[1], thrown);
            case "dns.lookup" -> dns(plan, (String) a[0], thrown);
            default -> null;
        };
    }

    // ---------------------------------------------------------------- sockets

    /** The family socket0 uses: inet6 unless asked for inet or IPv6 is off (libnet's probe). */
    static int inetDomain(RulesetPlan plan, ProtocolFamily family) {
        if (family == StandardProtocolFamily.INET || Boolean.getBoolean("java.net.preferIPv4Stack")) {
            return SocketNames.AF_INET;
        }
        boolean ipv6 = plan.sockets().allows(SocketNames.AF_INET6, SocketNames.SOCK_STREAM, 0)
                && Files.exists(Path.of("/proc/net/if_inet6"));
        return ipv6 ? SocketNames.AF_INET6 : SocketNames.AF_INET;
    }

    static Denial socket(RulesetPlan plan, int domain, int type, int protocol) {
        SocketPlan sockets = plan.sockets();
        String what = "socket(" + SocketNames.domainConstant(domain) + ", " + SocketNames.typeConstant(type) + ", "
                + SocketNames.protocolConstant(domain, protocol) + ")";
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("operation", "socket");
        f.put("domain", SocketNames.domainName(domain));
        f.put("type", SocketNames.typeName(type));
        f.put("protocol", protocol == 0 ? "default" : SocketNames.protocolName(domain, protocol));
        if (sockets.allows(domain, type, protocol)) {
            return new Denial(what, false, "", "", "", "another LSM, a container's seccomp profile, or a kernel without this"
                    + " address family", f);
        }
        SocketKind wanted = new SocketKind(domain, type, protocol == 0 && SocketNames.defaultProtocol(domain, type) == 0
                ? null : SocketKind.canonical(domain, type, protocol), "");
        return new Denial(what, true, "sockets: " + allowedSockets(sockets), wanted.toJson(), "\"sockets\"", "", f);
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

    /** Net.bind and Net.connect serve TCP and UDP sockets alike; the caller says which. */
    static Denial port(RulesetPlan plan, boolean bind, InetAddress address, int port) {
        boolean udp = calledFromDatagramCode();
        String transport = udp ? "udp" : "tcp";
        AccessNet right = udp ? (bind ? AccessNet.BIND_UDP : AccessNet.CONNECT_SEND_UDP)
                : (bind ? AccessNet.BIND_TCP : AccessNet.CONNECT_TCP);
        String side = bind ? "bind" : "connect";
        String what = bind ? "bind to port " + port + " (" + transport.toUpperCase(java.util.Locale.ROOT) + ")"
                : "connect to " + hostPort(address, port) + " (" + transport.toUpperCase(java.util.Locale.ROOT) + ")";
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("operation", side);
        f.put("protocol", transport);
        f.put("port", port);
        if (address != null) {
            f.put("address", address.getHostAddress());
        }
        if (plan.allowsPort(right, port)) {
            if (bind && port > 0 && port < 1024) {
                return privilegedPort(plan, what, f);
            }
            return new Denial(what, false, "", "", "", "another LSM such as SELinux or AppArmor, or a container's"
                    + " seccomp profile", f);
        }
        String allowed = transport.toUpperCase(java.util.Locale.ROOT) + " " + side + " to " + ports(plan, right);
        String rule = "{\"network\": {\"" + transport + "\": {\"" + side + "\": [" + port + "]}}}";
        return new Denial(what, true, allowed, rule, "\"network\" > \"" + transport + "\" > \"" + side + "\" (merge)", "", f);
    }

    /**
     * A port below 1024 the port rules allow: binding it needs CAP_NET_BIND_SERVICE, which the
     * agent takes away unless the policy keeps it. (The port floor is net.ipv4.ip_unprivileged_port_start.)
     */
    private static Denial privilegedPort(RulesetPlan plan, String what, Map<String, Object> f) {
        return capability(plan, what + " (ports below 1024 need " + Capability.NET_BIND_SERVICE.kernelName() + ")",
                Capability.NET_BIND_SERVICE, f);
    }

    /**
     * An operation the kernel allows only with {@code needed}: denied by the policy when it does not
     * keep the capability; else the JVM never had it (not root, not given it at start).
     */
    static Denial capability(RulesetPlan plan, String what, Capability needed, Map<String, Object> f) {
        f.put("capability", needed.policyName());
        if ((plan.capabilities() & needed.mask()) != 0) {
            return new Denial(what, false, "", "", "", "the JVM was started without " + needed.kernelName()
                    + " (run it as root, or give it the capability, for example with systemd's AmbientCapabilities=),"
                    + " or another LSM", f);
        }
        String kept = plan.capabilities() == 0 ? "none" : String.join(", ", Capability.names(plan.capabilities()));
        return new Denial(what, true, "the capabilities: " + kept, "\"" + needed.policyName() + "\"",
                "\"capabilities\" (a list; the JVM must hold it when it starts)", "", f);
    }

    /** A datagram sent without connect: Landlock checks it as connect_send_udp, worded as a send. */
    private static Denial sendTo(Denial d) {
        return new Denial(d.what().replaceFirst("^connect to ", "send to "), d.byPolicy(), d.allowed(), d.rule(),
                d.where(), d.elsewhere(), d.fields());
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

    private static boolean calledFromDatagramCode() {
        return StackWalker.getInstance().walk(s -> s.limit(24)
                .anyMatch(f -> f.getClassName().contains("Datagram")));
    }

    static Denial unixBind(RulesetPlan plan, Path socket) {
        Path p = FileAccess.resolve(socket.toString());
        Path dir = p.getParent() == null ? p : p.getParent();
        if (!plan.listening().unix()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("operation", "bind");
            f.put("path", socket.toString());
            String rule = "{\"network\": {\"unix\": {\"listen\": true}}}";
            // Without UNIX listening no grant keeps make_sock; a folder the policy lets it write had it.
            long granted = FileAccess.granted(plan, dir);
            boolean writable = (plan.handledFs() & AccessFs.MAKE_REG.mask()) == 0 || (granted & AccessFs.MAKE_REG.mask()) != 0;
            String where = "\"network\" (merge)" + (writable ? ""
                    : ", and to \"filesystem\": {\"path\": \"" + dir + "\", \"allow\": [\"make_sock\"]}");
            return new Denial("bind to " + socket + " (UNIX)", true,
                    "no UNIX socket to listen (processes outside could connect to it)", rule, where, "", f);
        }
        return fsNeed(plan, "bind to " + socket + " (UNIX)", dir, AccessFs.MAKE_SOCK.mask(), "create the socket file in " + dir,
                socket.toString());
    }

    static Denial unixConnect(RulesetPlan plan, Path socket) {
        Path p = FileAccess.resolve(socket.toString());
        Path dir = p.getParent() == null ? p : p.getParent();
        long handled = plan.handledFs() & AccessFs.RESOLVE_UNIX.mask();
        if (handled == 0) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("operation", "connect");
            f.put("path", socket.toString());
            return new Denial("connect to " + socket + " (UNIX)", false, "", "", "",
                    "the socket file's permissions; Landlock restricts pathname UNIX connects only from ABI 9", f);
        }
        return fsNeed(plan, "connect to " + socket + " (UNIX)", dir, AccessFs.RESOLVE_UNIX.mask(), "connect to sockets in " + dir,
                socket.toString());
    }

    // ---------------------------------------------------------------- files

    static Denial file(RulesetPlan plan, String file, String action, long needOnFile, boolean mayCreate) {
        Path p = FileAccess.resolve(file);
        long need = needOnFile;
        Path target = p;
        if (mayCreate && !Files.exists(p) && p.getParent() != null) {
            target = p.getParent();
            need = AccessFs.MAKE_REG.mask();
            action = action + " (the file does not exist yet: creating it needs make_reg on its folder)";
        }
        return fsNeed(plan, action + " of " + file, target, need, action, file);
    }

    static Denial fileWrite(RulesetPlan plan, String file, boolean append) {
        long need = AccessFs.WRITE_FILE.mask() | (append ? 0 : AccessFs.TRUNCATE.mask());
        return file(plan, file, append ? "open for appending" : "open for writing", need, true);
    }

    /** RandomAccessFile's mode bits: O_RDONLY 1, O_RDWR 2 (java.io.RandomAccessFile). */
    static Denial fileRandom(RulesetPlan plan, String file, int mode) {
        boolean write = (mode & 2) != 0;
        long need = AccessFs.READ_FILE.mask() | (write ? AccessFs.WRITE_FILE.mask() : 0);
        return file(plan, file, write ? "open for reading and writing" : "open for reading", need, write);
    }

    /** NIO reports the path but not the operation: the caller's Files method tells it. */
    static Denial fileNio(RulesetPlan plan, String file, String other, Throwable thrown) {
        String method = nioOperation();
        Path p = FileAccess.resolve(file);
        Path parent = p.getParent() == null ? p : p.getParent();
        String change = Metadata.change(method);
        if (change != null) {
            return Metadata.explain(plan, change, file, p, thrown);
        }
        return switch (method) {
            case "createDirectory", "createDirectories" -> fsNeed(plan, "create folder " + file, parent,
                    AccessFs.MAKE_DIR.mask(), "create folders in " + parent, file);
            case "createFile", "createTempFile" -> fsNeed(plan, "create " + file, parent, AccessFs.MAKE_REG.mask(),
                    "create files in " + parent, file);
            case "delete", "deleteIfExists" -> fsNeed(plan, "delete " + file, parent,
                    Files.isDirectory(p) ? AccessFs.REMOVE_DIR.mask() : AccessFs.REMOVE_FILE.mask(), "delete in " + parent, file);
            case "createSymbolicLink" -> fsNeed(plan, "create symbolic link " + file, parent, AccessFs.MAKE_SYM.mask(),
                    "create links in " + parent, file);
            case "move", "createLink" -> fsNeed(plan, method + " " + file + (other == null ? "" : " to " + other), parent,
                    AccessFs.REFER.mask() | AccessFs.REMOVE_FILE.mask() | AccessFs.MAKE_REG.mask(), "move files out of " + parent, file);
            case "newDirectoryStream", "list", "walk", "find" -> fsNeed(plan, "list folder " + file, p,
                    AccessFs.READ_DIR.mask(), "list " + file, file);
            case "readAllBytes", "readString", "readAllLines", "lines", "newInputStream", "newBufferedReader", "copy" ->
                    fsNeed(plan, "read " + file, p, AccessFs.READ_FILE.mask(), "read " + file, file);
            case "write", "writeString", "newOutputStream", "newBufferedWriter" -> Files.exists(p)
                    ? fsNeed(plan, "write " + file, p, AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask(), "write " + file, file)
                    : fsNeed(plan, "create " + file, parent, AccessFs.MAKE_REG.mask(), "create files in " + parent, file);
            default -> {
                // Opened for reading, writing or both: name every open right the policy lacks here.
                long open = AccessFs.READ_FILE.mask() | AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask();
                if (Files.isDirectory(p)) {
                    open = AccessFs.READ_DIR.mask();
                }
                yield fsNeed(plan, "open " + file, p, open, "open " + file, file);
            }
        };
    }

    /**
     * The outermost Files method on the stack, or else the attribute view's own method (an
     * application may call a PosixFileAttributeView directly), or "open".
     */
    private static String nioOperation() {
        return StackWalker.getInstance().walk(s -> s.limit(40)
                .filter(f -> f.getClassName().equals("java.nio.file.Files") || Metadata.isViewFrame(f))
                .map(f -> Metadata.isViewFrame(f) && f.getClassName().contains("UserDefined") ? "xattr" : f.getMethodName())
                .reduce((first, second) -> second).orElse("open"));
    }

    /** A file system need: which of {@code need} the plan lacks at {@code target}. */
    static Denial fsNeed(RulesetPlan plan, String what, Path target, long need, String action, String reported) {
        long handled = need & plan.handledFs();
        long granted = FileAccess.granted(plan, target);
        long missing = handled & ~granted;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("operation", action);
        f.put("path", reported);
        f.put("rights", FileAccess.names(need));
        if (missing == 0) {
            return new Denial(what, false, "", "", "", "file permissions (owner and mode), a read-only mount, another LSM"
                    + " such as SELinux or AppArmor, or a container's restrictions", f);
        }
        String allowed = granted == 0 ? "nothing at " + target
                : FileAccess.names(granted & plan.handledFs()) + " at " + target;
        String rule = "{\"path\": \"" + target + "\", \"allow\": " + FileAccess.allowList(missing) + "}";
        f.put("missing", FileAccess.names(missing));
        return new Denial(what + " (needs " + FileAccess.names(missing) + " on " + target + ")", true, allowed, rule,
                "\"filesystem\"", "", f);
    }

    // ---------------------------------------------------------------- name resolution

    static Denial dns(RulesetPlan plan, String host, Throwable thrown) {
        if (!(thrown instanceof UnknownHostException)) {
            return null;
        }
        SocketPlan s = plan.sockets();
        boolean udp = s.allows(SocketNames.AF_INET, SocketNames.SOCK_DGRAM, 0) || s.allows(SocketNames.AF_INET6, SocketNames.SOCK_DGRAM, 0);
        boolean hosts = (FileAccess.granted(plan, FileAccess.resolve("/etc/hosts")) & AccessFs.READ_FILE.mask()) != 0
                || (plan.handledFs() & AccessFs.READ_FILE.mask()) == 0;
        if (udp && hosts) {
            return null; // resolution was possible: the name really is unknown, or the resolver is down
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("operation", "resolve");
        f.put("host", host);
        List<String> lacks = new java.util.ArrayList<>();
        if (!hosts) {
            lacks.add("reading /etc/hosts");
        }
        if (!udp) {
            lacks.add("UDP sockets for DNS");
        }
        return new Denial("resolve " + host + " (" + String.join(" and ", lacks) + " not allowed)", true,
                "no name resolution", "\"dns\": true", "the policy", "", f);
    }

    // ---------------------------------------------------------------- the replacement exception

    /**
     * An exception of the same class as {@code thrown}, with {@code explanation} in its message and
     * the same stack trace; null when the class cannot be rebuilt (keep the original).
     */
    static Throwable rebuild(Throwable thrown, String explanation, String operation, boolean byPolicy) {
        try {
            Throwable replacement;
            if (thrown instanceof AccessDeniedException ade) {
                replacement = new AccessDeniedException(ade.getFile(), ade.getOtherFile(), "Permission denied: " + explanation);
            } else if (thrown instanceof FileSystemException fse && fse.getClass() == FileSystemException.class) {
                // A write the policy denies meets the read-only view (EROFS) before Landlock (EACCES): the
                // same AccessDeniedException as without the view. EPERM keeps its class.
                replacement = byPolicy && EROFS.equals(fse.getReason())
                        ? new AccessDeniedException(fse.getFile(), fse.getOtherFile(), "Permission denied: " + explanation)
                        : new FileSystemException(fse.getFile(), fse.getOtherFile(), fse.getReason() + ": " + explanation);
            } else if (operation.startsWith("file.")) {
                // FileNotFoundException("path (Permission denied)"): keep the JDK's form, explained.
                String m = String.valueOf(thrown.getMessage());
                int paren = m.lastIndexOf(" (");
                String head = paren > 0 ? m.substring(0, paren) : m;
                String reason = byPolicy || !m.contains(EROFS) ? "Permission denied" : EROFS;
                replacement = newInstance(thrown.getClass(), head + " (" + reason + ": " + explanation + ")");
            } else if (operation.equals("dns.lookup")) {
                replacement = newInstance(thrown.getClass(), thrown.getMessage() + " (landlock-agent: " + explanation
                        + "; add \"dns\": true to the policy)");
            } else {
                String m = String.valueOf(thrown.getMessage());
                String prefix = m.startsWith(EPERM) ? EPERM : EACCES;
                replacement = newInstance(thrown.getClass(), prefix + ": " + explanation);
            }
            if (replacement == null) {
                return null;
            }
            replacement.setStackTrace(thrown.getStackTrace());
            return replacement;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Throwable newInstance(Class<? extends Throwable> type, String message) {
        try {
            Constructor<? extends Throwable> c = type.getConstructor(String.class);
            return c.newInstance(message);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
