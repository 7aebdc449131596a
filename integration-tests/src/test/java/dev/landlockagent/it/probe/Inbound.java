package dev.landlockagent.it.probe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The inbound section of the escape suite: the confined JVM (and a python3 child of it) binds
 * UNIX sockets, abstract and pathname, stream and datagram, and waits for an outside process
 * ({@code OutsidePeer}, unconfined) to connect in and pass it a descriptor of the secret; it
 * listens on TCP without binding; and it connects to an outside UNIX listener that hands out the
 * secret, and passes a descriptor of its own out over that connection.
 *
 * <p>Properties: {@code inbound.name} (the abstract name prefix the peer connects to),
 * {@code inbound.dir} (where to bind socket files; the peer finds {@code in-*.sock} files there),
 * {@code inbound.expect} ({@code works} where the policy lets UNIX sockets listen: every inbound
 * attempt must get the descriptor; {@code abstract-limit} where docs/security.md lists abstract
 * binds as a limit of the policy), {@code listen.allowed} (the policy keeps listen(2) for
 * something else, so TCP listen without bind is the documented kernel limit), {@code unix.fd.outside}
 * (the peer's listener that passes the secret), {@code readable} (a file the policy lets it read).
 */
final class Inbound {
    private static final boolean X86 = System.getProperty("os.arch").equals("amd64");
    // Hostile's NR_CONNECT and NR_BIND, and the rest of a server's calls (x86_64, else aarch64)
    private static final long NR_BIND = Hostile.NR_BIND;
    private static final long NR_CONNECT = Hostile.NR_CONNECT;
    private static final long NR_LISTEN = X86 ? 50 : 201;
    private static final long NR_ACCEPT = X86 ? 43 : 202;
    private static final long NR_SETSOCKOPT = X86 ? 54 : 208;
    private static final long NR_SENDMSG = X86 ? 46 : 211;
    private static final long NR_RECVMSG = X86 ? 47 : 212;
    private static final int AF_UNIX = 1;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int EAGAIN = 11;

    private Inbound() {
    }

    static void run(String t, String secretText) {
        String name = System.getProperty("inbound.name");
        String dir = System.getProperty("inbound.dir");
        String expect = System.getProperty("inbound.expect", "blocked");
        boolean works = expect.equals("works");
        if (name != null) {
            inbound(t, "inbound abstract stream", works || expect.equals("abstract-limit"), works,
                    () -> listenAndReceive(SOCK_STREAM, abstractAddress(name + "-stream"), "@" + name + "-stream", secretText));
            inbound(t, "inbound abstract dgram", works || expect.equals("abstract-limit"), works,
                    () -> listenAndReceive(SOCK_DGRAM, abstractAddress(name + "-dgram"), "@" + name + "-dgram", secretText));
            inbound(t, "inbound abstract stream from a child python3", works || expect.equals("abstract-limit"), works,
                    () -> childListens(name + "-child", secretText));
        }
        if (dir != null) {
            Path stream = Path.of(dir, "in-stream.sock");
            Path dgram = Path.of(dir, "in-dgram.sock");
            inbound(t, "inbound pathname stream", works, works,
                    () -> listenAndReceive(SOCK_STREAM, pathAddress(stream), stream.toString(), secretText));
            inbound(t, "inbound pathname dgram", works, works,
                    () -> listenAndReceive(SOCK_DGRAM, pathAddress(dgram), dgram.toString(), secretText));
        }
        Hostile.Attempt tcpListen = () -> {
            int fd = NativeCalls.socket(AF_INET6, SOCK_STREAM, 0);
            if (fd < 0) {
                throw new Hostile.Blocked("socket(AF_INET6, SOCK_STREAM): errno " + (-fd));
            }
            try {
                long r = NativeCalls.syscall(NR_LISTEN, fd, 4, 0, 0);
                if (r < 0) {
                    throw new Hostile.Blocked("listen without bind: errno " + (-r));
                }
                return "listening on a TCP port the kernel chose, without bind(2)";
            } finally {
                NativeCalls.close(fd);
            }
        };
        if (Boolean.getBoolean("listen.allowed")) {
            limitIfItWorks(t, "tcp listen without bind", tcpListen, "Landlock's bind_tcp checks bind(2), not the"
                    + " port listen(2) picks for an unbound socket; this policy keeps listen(2) for its own listeners");
        } else {
            Hostile.attempt(t, "tcp listen without bind", tcpListen);
        }
        String outside = System.getProperty("unix.fd.outside");
        if (outside != null) {
            outbound(t, outside, secretText);
        }
    }

    /** An inbound attempt: WORKS/BROKEN where the policy allows it, LIMIT where documented, else BLOCKED/ESCAPED. */
    private static void inbound(String t, String name, boolean documented, boolean works, Hostile.Attempt a) {
        if (works) {
            Hostile.works(t, name, a);
        } else if (documented) {
            limitIfItWorks(t, name, a, "the policy lets the JVM bind (TCP ports) and create UNIX sockets, and an abstract"
                    + " name's bind cannot be told from a port's; docs/security.md, Inbound connections");
        } else {
            Hostile.attempt(t, name, a);
        }
    }

    private static void limitIfItWorks(String t, String name, Hostile.Attempt a, String why) {
        try {
            String got = a.run();
            Hostile.limit(t, name, got + ": " + why);
        } catch (Throwable e) {
            Hostile.attempt(t, name, () -> {
                throw e;
            });
        }
    }

    /** Bind (and listen), wait up to 5 s for the outside peer, and read the descriptor it passes. */
    private static String listenAndReceive(int type, byte[] address, String shown, String secretText) throws Throwable {
        int fd = NativeCalls.socket(AF_UNIX, type, 0);
        if (fd < 0) {
            throw new Hostile.Blocked("socket(AF_UNIX): errno " + (-fd));
        }
        try {
            long r = NativeCalls.sockaddrCall(NR_BIND, fd, address);
            if (r < 0) {
                throw new Hostile.Blocked("bind " + shown + ": errno " + (-r));
            }
            receiveTimeout(fd);
            int from = fd;
            if (type == SOCK_STREAM) {
                r = NativeCalls.syscall(NR_LISTEN, fd, 4, 0, 0);
                if (r < 0) {
                    throw new Hostile.Blocked("listen on " + shown + ": errno " + (-r));
                }
                r = NativeCalls.syscall(NR_ACCEPT, fd, 0, 0, 0);
                if (r < 0) {
                    throw new Hostile.Blocked("accept on " + shown + ": errno " + (-r)
                            + (-r == EAGAIN ? " (nobody outside connected in 5 s)" : ""));
                }
                from = (int) r;
                receiveTimeout(from);
            }
            try {
                return readPassed(NativeCalls.receiveDescriptor(NR_RECVMSG, from), "an outside process over " + shown, secretText);
            } finally {
                if (from != fd) {
                    NativeCalls.close(from);
                }
            }
        } finally {
            NativeCalls.close(fd);
            if (!shown.startsWith("@")) {
                Files.deleteIfExists(Path.of(shown));
            }
        }
    }

    private static String readPassed(long passed, String from, String secretText) throws Throwable {
        if (passed == NativeCalls.NO_DESCRIPTOR) {
            throw new Hostile.Blocked(from + " sent no descriptor");
        }
        if (passed < 0) {
            throw new Hostile.Blocked("recvmsg from " + from + ": errno " + (-passed));
        }
        byte[] got = NativeCalls.read((int) passed, 200);
        NativeCalls.close((int) passed);
        if (!new String(got, StandardCharsets.UTF_8).contains(secretText)) {
            throw new Hostile.Blocked("a descriptor from " + from + " read " + got.length + " other bytes");
        }
        return "read the secret through a descriptor passed in by " + from;
    }

    /** The issue's own scenario: a child process of the confined JVM listens on an abstract name. */
    private static String childListens(String name, String secretText) throws Throwable {
        String script = String.join("\n",
                "import socket, array",
                "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
                "try:",
                "    s.bind('\\0" + name + "'); s.listen(4); s.settimeout(5)",
                "    c, _ = s.accept()",
                "    msg, anc, flags, addr = c.recvmsg(1, 64)",
                "    fds = [fd for level, kind, data in anc for fd in array.array('i', data[:len(data) - len(data) % 4])]",
                "    print('GOT ' + open(fds[0]).read() if fds else 'no descriptor')",
                "except OSError as e:",
                "    print('denied', e)");
        Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        if (out.contains("GOT") && out.contains(secretText)) {
            return "a python3 child read the secret through a descriptor passed in over @" + name;
        }
        throw new Hostile.Blocked("python3 child: " + out.strip().replace('\n', ' '));
    }

    /**
     * Connect out to the peer's pathname listener, which passes the secret on accept (reaching it
     * is the pathname-connect limit before ABI 9); then pass a descriptor of a readable file out.
     */
    private static void outbound(String t, String outside, String secretText) {
        int abi = Integer.getInteger("abi", 0);
        int[] connected = {-1};
        Hostile.Attempt in = () -> {
            int fd = NativeCalls.socket(AF_UNIX, SOCK_STREAM, 0);
            if (fd < 0) {
                throw new Hostile.Blocked("socket(AF_UNIX): errno " + (-fd));
            }
            long r = NativeCalls.sockaddrCall(NR_CONNECT, fd, pathAddress(Path.of(outside)));
            if (r < 0) {
                NativeCalls.close(fd);
                throw new Hostile.Blocked("connect to " + outside + ": errno " + (-r));
            }
            connected[0] = fd;
            receiveTimeout(fd);
            return readPassed(NativeCalls.receiveDescriptor(NR_RECVMSG, fd), "the outside listener " + outside, secretText);
        };
        String before9 = "Landlock restricts connects to pathname UNIX sockets from ABI 9 (resolve_unix); this kernel has ABI " + abi;
        if (abi < 9) {
            limitIfItWorks(t, "descriptor from an outside listener", in, before9);
        } else {
            Hostile.attempt(t, "descriptor from an outside listener", in);
        }
        Hostile.Attempt out = () -> {
            if (connected[0] < 0) {
                throw new Hostile.Blocked("no connection to anything outside");
            }
            int file = NativeCalls.open(System.getProperty("readable"), 0);
            if (file < 0) {
                throw new Hostile.Blocked("open readable: errno " + (-file));
            }
            try {
                long r = NativeCalls.sendDescriptor(NR_SENDMSG, connected[0], file);
                if (r < 0) {
                    throw new Hostile.Blocked("sendmsg(SCM_RIGHTS): errno " + (-r));
                }
                return "passed a descriptor of a file the policy lets it read to " + outside;
            } finally {
                NativeCalls.close(file);
                NativeCalls.close(connected[0]);
            }
        };
        limitIfItWorks(t, "descriptor passed out", out, "a peer the JVM can reach gets what the policy lets the JVM"
                + " open, no more than it could send as bytes; " + before9);
    }

    /** SO_RCVTIMEO of 5 s: accept(2) and recvmsg(2) give up with EAGAIN. */
    private static void receiveTimeout(int fd) throws Throwable {
        ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(5).putLong(0);
        NativeCalls.call(NR_SETSOCKOPT, fd, 1 /* SOL_SOCKET */, 20 /* SO_RCVTIMEO */, tv.array(), 16);
    }

    /** struct sockaddr_un for an abstract name ("\0name"). */
    static byte[] abstractAddress(String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(3 + n.length).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX).put((byte) 0).put(n);
        return b.array();
    }

    /** struct sockaddr_un for a path, NUL-terminated. */
    static byte[] pathAddress(Path p) {
        byte[] n = p.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(3 + n.length).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX).put(n).put((byte) 0);
        return b.array();
    }
}
