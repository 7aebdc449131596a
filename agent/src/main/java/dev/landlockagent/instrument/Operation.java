package dev.landlockagent.instrument;

/**
 * The operations the woven JDK funnels report ({@link Target}), each with the arguments the hook
 * receives, in order, before the exception the method threw. The woven code runs inside java.base
 * and cannot name this type, so it passes {@link #id()}; the explainer turns it back with
 * {@link #of(String)}. One list, named by both sides.
 */
public enum Operation {
    /** {@code Net.socket}: ProtocolFamily (null for the default), Boolean stream. */
    NET_SOCKET("net.socket"),
    /** {@code Net.serverSocket}: ProtocolFamily. */
    NET_SERVER_SOCKET("net.serverSocket"),
    /** {@code Net.bind}, TCP or UDP: ProtocolFamily, InetAddress, Integer port. */
    NET_BIND("net.bind"),
    /** {@code Net.connect}, TCP or UDP: ProtocolFamily, InetAddress, Integer port. */
    NET_CONNECT("net.connect"),
    /** An unconnected datagram send: InetSocketAddress target. */
    UDP_SEND("udp.send"),
    /** {@code UnixDomainSockets.socket}, and Netty's native stream UNIX socket: no argument. */
    UNIX_SOCKET("unix.socket"),
    /** {@code UnixDomainSockets.bind}: Path. */
    UNIX_BIND("unix.bind"),
    /** {@code UnixDomainSockets.connect}: Path. */
    UNIX_CONNECT("unix.connect"),
    /** {@code SctpNet.socket}: Boolean one-to-one. */
    SCTP_SOCKET("sctp.socket"),
    /** {@code SctpNet.connect}: InetAddress, Integer port. */
    SCTP_CONNECT("sctp.connect"),
    /** {@code SctpNet.bindx}: InetAddress[], Integer port. */
    SCTP_BIND("sctp.bind"),
    /** {@code NetworkInterface}'s look-ups, whose native code opens inet and inet6 datagram sockets: no argument. */
    NET_INTERFACES("net.interfaces"),
    /** {@code NativeLibraries.loadLibrary(Class, File)}, under System.load and loadLibrary: File. */
    NATIVE_LIBRARY("native.load"),
    /** Netty's native {@code socket(AF_INET or AF_INET6, SOCK_STREAM, 0)}: Boolean IPv6. */
    NETTY_STREAM_SOCKET("netty.streamSocket"),
    /** Netty's native {@code socket(AF_INET or AF_INET6, SOCK_DGRAM, 0)}: Boolean IPv6. */
    NETTY_DATAGRAM_SOCKET("netty.datagramSocket"),
    /** Netty's native bind, TCP, UDP or UNIX: SocketAddress (InetSocketAddress or Netty's DomainSocketAddress). */
    NETTY_BIND("netty.bind"),
    /** Netty's native connect, TCP, UDP or UNIX: SocketAddress. */
    NETTY_CONNECT("netty.connect"),
    /** Netty's native sendto of an unconnected datagram: InetAddress, Integer port. */
    NETTY_SEND("netty.send"),
    /** The platform resolver's lookup: String host. */
    DNS_LOOKUP("dns.lookup"),
    /** {@code FileInputStream.open}: String path. */
    FILE_READ("file.read"),
    /** {@code FileOutputStream.open}: String path, Boolean append. */
    FILE_WRITE("file.write"),
    /** {@code RandomAccessFile.open}: String path, Integer mode. */
    FILE_RANDOM("file.random"),
    /** {@code File.mkdir} and {@code mkdirs} (UnixFileSystem.createDirectory), false on failure: File. */
    FILE_MKDIR("file.mkdir"),
    /** {@code File.delete}: File. */
    FILE_DELETE("file.delete"),
    /** {@code File.renameTo}: File, File. */
    FILE_RENAME("file.rename"),
    /** {@code File.setReadable}, {@code setWritable}, {@code setExecutable}: File. */
    FILE_SET_PERMISSION("file.setPermission"),
    /** {@code File.list} and {@code listFiles}, null on failure: File. */
    FILE_LIST("file.list"),
    /** {@code File.createNewFile} and {@code File.createTempFile}, which throw: String path. */
    FILE_CREATE("file.create"),
    /** NIO's errno translation: String path, String other path (or null). */
    FILE_NIO("file.nio"),
    /** {@code Runtime.exit}, under {@code System.exit}, before it runs: Integer status. */
    RUNTIME_EXIT("runtime.exit"),
    /** {@code Runtime.halt}, before it runs: Integer status. */
    RUNTIME_HALT("runtime.halt");

    private final String id;

    Operation(String id) {
        this.id = id;
    }

    /** The name the woven code passes to the hook. */
    public String id() {
        return id;
    }

    /** The operation the woven code named {@code id}, or null. */
    public static Operation of(String id) {
        for (Operation o : values()) {
            if (o.id.equals(id)) {
                return o;
            }
        }
        return null;
    }

    /** A file operation: its exception keeps the JDK's "path (reason)" form. */
    public boolean isFile() {
        return this == FILE_READ || this == FILE_WRITE || this == FILE_RANDOM || this == FILE_NIO;
    }

    /** An operation that fails by its return value, with no exception and no errno: the hook gets null. */
    public boolean failsSilently() {
        return this == FILE_MKDIR || this == FILE_DELETE || this == FILE_RENAME || this == FILE_SET_PERMISSION
                || this == FILE_LIST;
    }
}
