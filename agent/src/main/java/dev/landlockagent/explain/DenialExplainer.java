package dev.landlockagent.explain;

import dev.landlockagent.instrument.Operation;
import dev.landlockagent.linux.SocketNames;
import dev.landlockagent.plan.RulesetPlan;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Explains a denied operation reported by the instrumented JDK funnels: judges it against this
 * JVM's plan (by kind: {@link SocketDenials}, {@link FileDenials}, {@link NameResolution}), logs it
 * (once per kind, then counts: {@link DenialLog}), and returns the exception to throw instead
 * ({@link ExplainedException}). Returns null to keep the JDK's own exception: for failures that are
 * not permission denials, when the plan is not the one enforced, and when anything goes wrong here.
 */
public final class DenialExplainer implements BiFunction<String, Object[], Throwable> {
    private final Supplier<ExplainContext> contextSource;
    private volatile ExplainContext context;
    private final DenialLog log = DenialLog.JVM;
    /** Not ThreadLocal.withInitial(lambda): made at start-up, where a lambda costs ~8 ms (docs/start-up-path.md). */
    private final ThreadLocal<boolean[]> busy = new ThreadLocal<boolean[]>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    /** {@code context} is called once, at the first denial; null from it: explain nothing. */
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
                    context = c == null ? ExplainContext.NONE : c;
                }
            }
        }
        return c == ExplainContext.NONE ? null : c;
    }

    /** From the woven code: {@code args} are the operation's arguments, then what the method threw. */
    @Override
    public Throwable apply(String operationId, Object[] args) {
        boolean[] inside = busy.get();
        if (inside[0]) {
            return null; // a denial while explaining one: keep the JDK's exception
        }
        inside[0] = true;
        try {
            Operation operation = Operation.of(operationId);
            Throwable thrown = (Throwable) args[args.length - 1];
            if (operation == null || operation.failsSilently() != (thrown == null)
                    || thrown != null && operation != Operation.DNS_LOOKUP && !ExplainedException.isPermissionDenial(thrown)) {
                return null;
            }
            ExplainContext ctx = context();
            Denial d = ctx == null ? null : explain(operation, args, ctx.plan(), thrown);
            if (d == null || thrown == null && !d.byPolicy()) {
                return null; // a false with no errno: only the plan's own denials are worth a line
            }
            String harmless = HarmlessProbes.onStack();
            if (harmless != null) {
                log.harmless(d, harmless);
                return null; // the JDK catches its own exception
            }
            log.record(d, ctx.policyOrigin());
            return thrown == null ? null : ExplainedException.of(thrown, d.message(ctx.policyOrigin()), operation, d.byPolicy());
        } catch (RuntimeException | Error e) {
            return null;
        } finally {
            inside[0] = false;
        }
    }

    /** The denial of {@code operation} with the hook's arguments {@code a}, judged against {@code plan}; or null. */
    static Denial explain(Operation operation, Object[] a, RulesetPlan plan, Throwable thrown) {
        return switch (operation) {
            case NET_SOCKET -> SocketDenials.socket(plan, SocketDenials.inetDomain(plan, (ProtocolFamily) a[0]),
                    (Boolean) a[1] ? SocketNames.SOCK_STREAM : SocketNames.SOCK_DGRAM, 0);
            case NET_SERVER_SOCKET -> SocketDenials.socket(plan, SocketDenials.inetDomain(plan, (ProtocolFamily) a[0]),
                    SocketNames.SOCK_STREAM, 0);
            case NET_BIND -> SocketDenials.port(plan, true, calledFromDatagramCode(), (InetAddress) a[1], (Integer) a[2]);
            case NET_CONNECT -> SocketDenials.port(plan, false, calledFromDatagramCode(), (InetAddress) a[1], (Integer) a[2]);
            case UDP_SEND -> SocketDenials.sendTo(plan, ((InetSocketAddress) a[0]).getAddress(), ((InetSocketAddress) a[0]).getPort());
            case UNIX_SOCKET -> SocketDenials.socket(plan, SocketNames.AF_UNIX, SocketNames.SOCK_STREAM, 0);
            case UNIX_BIND -> SocketDenials.unixBind(plan, (Path) a[0]);
            case UNIX_CONNECT -> SocketDenials.unixConnect(plan, (Path) a[0]);
            case SCTP_SOCKET -> SocketDenials.socket(plan, SocketDenials.inetDomain(plan, null),
                    (Boolean) a[0] ? SocketNames.SOCK_STREAM : SocketNames.SOCK_SEQPACKET, SocketNames.IPPROTO_SCTP);
            case SCTP_CONNECT, SCTP_BIND -> null; // Landlock has no SCTP port rules: only the socket kind is the policy's
            case RUNTIME_EXIT, RUNTIME_HALT -> null; // the exit rule's own hook: ExitControl
            case FILE_READ -> FileDenials.read(plan, (String) a[0]);
            case FILE_WRITE -> FileDenials.write(plan, (String) a[0], (Boolean) a[1]);
            case FILE_RANDOM -> FileDenials.random(plan, (String) a[0], (Integer) a[1]);
            case FILE_NIO -> FileDenials.nio(plan, FileDenials.nioMethodOnStack(), (String) a[0], (String) a[1], thrown);
            case NETTY_STREAM_SOCKET, NETTY_DATAGRAM_SOCKET -> SocketDenials.socket(plan,
                    (Boolean) a[0] ? SocketNames.AF_INET6 : SocketNames.AF_INET,
                    operation == Operation.NETTY_STREAM_SOCKET ? SocketNames.SOCK_STREAM : SocketNames.SOCK_DGRAM, 0);
            case NETTY_BIND, NETTY_CONNECT -> nettyAddress(plan, operation == Operation.NETTY_BIND, (SocketAddress) a[0]);
            case NETTY_SEND -> SocketDenials.sendTo(plan, (InetAddress) a[0], (Integer) a[1]);
            case DNS_LOOKUP -> NameResolution.explain(plan, (String) a[0], thrown);
            case NET_INTERFACES -> SocketDenials.interfaces(plan);
            case NATIVE_LIBRARY -> FileDenials.nativeLibrary(plan, ((java.io.File) a[0]).getPath());
            case FILE_MKDIR, FILE_DELETE, FILE_RENAME, FILE_SET_PERMISSION, FILE_LIST -> FileDenials.ioFile(operation, plan, a);
            case FILE_CREATE -> FileDenials.createNewFile(plan, (String) a[0]);
        };
    }

    /**
     * Netty's bind and connect take an InetSocketAddress, or its own DomainSocketAddress, whose
     * toString is the socket file's path (abstract names, "\0..."-style, are not files: null).
     */
    private static Denial nettyAddress(RulesetPlan plan, boolean bind, SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return SocketDenials.port(plan, bind, calledFromDatagramCode(), inet.getAddress(), inet.getPort());
        }
        String path = String.valueOf(address);
        if (!address.getClass().getSimpleName().equals("DomainSocketAddress") || path.isEmpty() || path.charAt(0) == 0) {
            return null;
        }
        return bind ? SocketDenials.unixBind(plan, Path.of(path)) : SocketDenials.unixConnect(plan, Path.of(path));
    }

    /** Net.bind and Net.connect serve TCP and UDP alike: a DatagramChannel or DatagramSocket frame says UDP. */
    private static boolean calledFromDatagramCode() {
        return StackWalker.getInstance().walk(s -> s.limit(24)
                .anyMatch(f -> f.getClassName().contains("Datagram")));
    }
}
