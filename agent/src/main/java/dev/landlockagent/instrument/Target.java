package dev.landlockagent.instrument;

import java.util.List;
import java.util.Map;

/**
 * A JDK class the agent instruments: the funnels every public socket and file API goes through
 * (docs/kernel-facts.md, "The JDK"), each method with the operation the explainer knows it by.
 * {@code descriptor} pins the exact overload.
 */
record Target(String module, String internalName, List<Method> methods) {
    /**
     * One instrumented method. When it throws ({@link Exit#THROWN}) or returns an
     * AccessDeniedException ({@link Exit#RETURNED_ACCESS_DENIED}), the explainer is called with
     * {@code operation} and the arguments at {@code arguments} (boxed), the exception last.
     */
    record Method(String name, String descriptor, String operation, int[] arguments, Exit exit) {
    }

    enum Exit {
        /** The method throws the JDK's exception; the explainer may replace it. */
        THROWN,
        /** The method returns the exception to throw (UnixException.translateToIOException). */
        RETURNED_ACCESS_DENIED
    }

    private static Method thrown(String name, String descriptor, String operation, int... arguments) {
        return new Method(name, descriptor, operation, arguments, Exit.THROWN);
    }

    static final List<Target> ALL = List.of(
            new Target("java.base", "sun/nio/ch/Net", List.of(
                    thrown("socket", "(Ljava/net/ProtocolFamily;Z)Ljava/io/FileDescriptor;", "net.socket", 0, 1),
                    thrown("serverSocket", "(Ljava/net/ProtocolFamily;)Ljava/io/FileDescriptor;", "net.serverSocket", 0),
                    thrown("bind", "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V",
                            "net.bind", 0, 2, 3),
                    thrown("connect", "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)I",
                            "net.connect", 0, 2, 3))),
            // every unconnected datagram send (DatagramChannel.send, DatagramSocket.send): ABI 10's connect_send_udp
            new Target("java.base", "sun/nio/ch/DatagramChannelImpl", List.of(
                    thrown("send", "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Ljava/net/InetSocketAddress;)I",
                            "udp.send", 2))),
            new Target("java.base", "sun/nio/ch/UnixDomainSockets", List.of(
                    thrown("socket", "()Ljava/io/FileDescriptor;", "unix.socket"),
                    thrown("bind", "(Ljava/io/FileDescriptor;Ljava/nio/file/Path;)V", "unix.bind", 1),
                    thrown("connect", "(Ljava/io/FileDescriptor;Ljava/nio/file/Path;)I", "unix.connect", 1))),
            new Target("jdk.sctp", "sun/nio/ch/sctp/SctpNet", List.of(
                    thrown("socket", "(Z)Ljava/io/FileDescriptor;", "sctp.socket", 0),
                    thrown("connect", "(ILjava/net/InetAddress;I)I", "sctp.connect", 1, 2),
                    thrown("bindx", "(I[Ljava/net/InetAddress;IZ)V", "sctp.bind", 1, 2))),
            new Target("java.base", "java/net/InetAddress$PlatformResolver", List.of(
                    thrown("lookupByName",
                            "(Ljava/lang/String;Ljava/net/spi/InetAddressResolver$LookupPolicy;)Ljava/util/stream/Stream;",
                            "dns.lookup", 0))),
            new Target("java.base", "java/io/FileInputStream", List.of(
                    thrown("open", "(Ljava/lang/String;)V", "file.read", 0))),
            new Target("java.base", "java/io/FileOutputStream", List.of(
                    thrown("open", "(Ljava/lang/String;Z)V", "file.write", 0, 1))),
            new Target("java.base", "java/io/RandomAccessFile", List.of(
                    thrown("open", "(Ljava/lang/String;I)V", "file.random", 0, 1))),
            // turns an errno of the NIO file system into the exception Files.* throw (EACCES: AccessDeniedException)
            new Target("java.base", "sun/nio/fs/UnixException", List.of(
                    new Method("translateToIOException", "(Ljava/lang/String;Ljava/lang/String;)Ljava/io/IOException;",
                            "file.nio", new int[] {0, 1}, Exit.RETURNED_ACCESS_DENIED))));

    static Map<String, Target> byName() {
        java.util.HashMap<String, Target> m = new java.util.HashMap<>();
        for (Target t : ALL) {
            m.put(t.internalName, t);
        }
        return Map.copyOf(m);
    }

    String className() {
        return internalName.replace('/', '.');
    }
}
