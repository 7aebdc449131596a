package dev.landlockagent.it.probe;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Creates sockets every way a Java program can and reports each as a RESULT line (see
 * {@link Probe}). Commands: {@code api NAME PORT} for each public JDK socket API
 * ({@link #API_NAMES}), {@code native-socket D T P}, {@code native-socketpair D T P},
 * {@code io-uring}, {@code i386-open PATH}, {@code x32-socket D T P}, {@code i386-socket D T P}, {@code i386-socketcall D T P},
 * {@code accept-inherited}, {@code addrform PORT} (a v4-mapped inet6 TCP connection turned into an inet
 * socket with IPV6_ADDRFORM), {@code child CMD...} (runs a process and reports its exit status).
 */
public final class SocketProbe {
    public static final String[] API_NAMES = {"socket", "server-socket", "datagram-socket", "multicast-socket",
        "socket-channel", "unix-socket-channel", "server-socket-channel", "datagram-channel",
        "async-socket-channel", "async-server-socket-channel"};

    private SocketProbe() {
    }

    public static void main(String[] args) throws Throwable {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "api" -> {
                    String name = args[++i];
                    int port = Integer.parseInt(args[++i]);
                    report("api " + name, api(name, port));
                }
                case "native-socket" -> {
                    int d = Integer.parseInt(args[++i]);
                    int t = Integer.parseInt(args[++i]);
                    int p = Integer.parseInt(args[++i]);
                    report("native-socket " + d + " " + t + " " + p, errnoOutcome(NativeCalls.socket(d, t, p)));
                }
                case "native-socketpair" -> {
                    int d = Integer.parseInt(args[++i]);
                    int t = Integer.parseInt(args[++i]);
                    int p = Integer.parseInt(args[++i]);
                    report("native-socketpair " + d + " " + t + " " + p, errnoOutcome(NativeCalls.socketpair(d, t, p)));
                }
                case "io-uring" -> report("io-uring", errnoOutcome(NativeCalls.ioUringSetup()));
                case "i386-open" -> {
                    String path = args[++i];
                    report("i386-open " + path, errnoOutcome(NativeCalls.i386Open(path)));
                }
                case "x32-socket", "i386-socket", "i386-socketcall" -> {
                    String cmd = args[i];
                    int d = Integer.parseInt(args[++i]);
                    int t = Integer.parseInt(args[++i]);
                    int p = Integer.parseInt(args[++i]);
                    long r = switch (cmd) {
                        case "x32-socket" -> NativeCalls.x32Socket(d, t, p);
                        case "i386-socket" -> NativeCalls.i386Socket(d, t, p);
                        default -> NativeCalls.i386Socketcall(d, t, p);
                    };
                    report(cmd + " " + d + " " + t + " " + p, errnoOutcome(r));
                }
                case "accept-inherited" -> report("accept-inherited", acceptInherited());
                case "addrform" -> {
                    int port = Integer.parseInt(args[++i]);
                    report("addrform " + port, addrform(port));
                }
                case "child" -> {
                    String[] command = java.util.Arrays.copyOfRange(args, i + 1, args.length);
                    i = args.length;
                    report("child", child(command));
                }
                default -> throw new IllegalArgumentException("unknown command " + args[i]);
            }
        }
        System.out.flush();
    }

    private static void report(String label, String outcome) {
        System.out.println("RESULT " + label + " " + outcome);
    }

    private static String errnoOutcome(long r) {
        return r >= 0 ? "OK fd " + r : "DENIED errno " + (-r);
    }

    /**
     * 127.0.0.1, not getLoopbackAddress(): a JVM that may not create inet sockets considers IPv4
     * unavailable and its loopback address is ::1, where the test's listener is not.
     */
    static String api(String name, int port) {
        try {
            return api(name, new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static String api(String name, InetSocketAddress target) {
        try {
            switch (name) {
                case "socket" -> {
                    try (Socket s = new Socket()) {
                        s.connect(target, 5000);
                    }
                }
                case "server-socket" -> {
                    try (ServerSocket s = new ServerSocket(0)) {
                        s.getLocalPort();
                    }
                }
                case "datagram-socket" -> {
                    try (DatagramSocket s = new DatagramSocket()) {
                        s.getLocalPort();
                    }
                }
                case "multicast-socket" -> {
                    try (MulticastSocket s = new MulticastSocket()) {
                        s.getLocalPort();
                    }
                }
                case "socket-channel" -> {
                    try (SocketChannel c = SocketChannel.open()) {
                        c.connect(target);
                    }
                }
                case "unix-socket-channel" -> {
                    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        c.isOpen();
                    }
                }
                case "server-socket-channel" -> {
                    try (ServerSocketChannel c = ServerSocketChannel.open()) {
                        c.bind(null);
                    }
                }
                case "datagram-channel" -> {
                    try (DatagramChannel c = DatagramChannel.open()) {
                        c.bind(null);
                    }
                }
                case "async-socket-channel" -> {
                    try (AsynchronousSocketChannel c = AsynchronousSocketChannel.open()) {
                        c.connect(target).get(5, TimeUnit.SECONDS);
                    }
                }
                case "async-server-socket-channel" -> {
                    try (AsynchronousServerSocketChannel c = AsynchronousServerSocketChannel.open()) {
                        c.bind(null);
                    }
                }
                default -> throw new IllegalArgumentException("unknown API " + name);
            }
            return "OK";
        } catch (Exception | Error e) {
            Throwable t = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            return "DENIED " + t.getClass().getName() + ": " + String.valueOf(t.getMessage()).replace('\n', ' ');
        }
    }

    /** Accepts on a listening socket the JVM inherited as stdin (System.inheritedChannel()). */
    private static String acceptInherited() {
        try {
            Channel c = System.inheritedChannel();
            if (!(c instanceof ServerSocketChannel server)) {
                return "DENIED no inherited listening socket: " + c;
            }
            try (SocketChannel accepted = server.accept()) {
                return "OK accepted " + accepted.getRemoteAddress();
            }
        } catch (IOException e) {
            return "DENIED " + e;
        }
    }

    private static String child(String[] command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip().replace('\n', ' ');
            int status = p.waitFor();
            return (status == 0 ? "OK" : "DENIED") + " exit " + status + ": " + out;
        } catch (IOException | InterruptedException e) {
            return "DENIED cannot start: " + e;
        }
    }

    /**
     * socket(AF_INET6, SOCK_STREAM), connect to ::ffff:127.0.0.1:port, then
     * setsockopt(IPPROTO_IPV6, IPV6_ADDRFORM, AF_INET): the same socket becomes an AF_INET one
     * (SO_DOMAIN says so). No new socket is created, so no socket rule is asked.
     */
    static String addrform(int port) throws Throwable {
        boolean x86 = System.getProperty("os.arch").equals("amd64");
        int fd = NativeCalls.socket(10, 1, 0);
        if (fd < 0) {
            return "DENIED socket errno " + (-fd);
        }
        try {
            java.nio.ByteBuffer sa = java.nio.ByteBuffer.allocate(28).order(java.nio.ByteOrder.nativeOrder());
            sa.putShort((short) 10).order(java.nio.ByteOrder.BIG_ENDIAN).putShort((short) port).putInt(0)
                    .put(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1});
            long r = NativeCalls.sockaddrCall(x86 ? 42 : 203, fd, sa.array());
            if (r < 0) {
                return "DENIED connect errno " + (-r);
            }
            byte[] inet = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(2).array();
            r = NativeCalls.call(x86 ? 54 : 208, fd, 41 /* IPPROTO_IPV6 */, 1 /* IPV6_ADDRFORM */, inet, 4);
            if (r < 0) {
                return "DENIED IPV6_ADDRFORM errno " + (-r);
            }
            return "OK the connected socket is now AF_INET";
        } finally {
            NativeCalls.close(fd);
        }
    }
}
