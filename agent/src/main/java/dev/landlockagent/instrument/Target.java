package dev.landlockagent.instrument;

import java.util.List;
import java.util.Map;

/**
 * A class the agent instruments, each method with the {@link Operation} it reports;
 * {@code descriptor} pins the exact overload. The JDK's are the funnels every public socket and
 * file API goes through (docs/kernel-facts.md, "The JDK"), woven ahead from the runtime image, all
 * methods or none. A library's ({@code module} null) is one whose native code makes the syscalls
 * itself, past the JDK's funnels: Netty's native transports, under gRPC, Vert.x and Reactor Netty.
 * It is woven when the application loads it, with whichever of its methods that version has.
 */
record Target(String module, String internalName, List<Method> methods) {
    /**
     * One instrumented method. When it throws ({@link Exit#THROWN}) or returns an
     * AccessDeniedException ({@link Exit#RETURNED_ACCESS_DENIED}), the explainer is called with
     * {@code operation}'s id and the arguments at {@code arguments} (boxed), the exception last.
     */
    record Method(String name, String descriptor, Operation operation, int[] arguments, Exit exit) {
    }

    enum Exit {
        /** The method throws the JDK's exception; the explainer may replace it. */
        THROWN,
        /** The method returns the exception to throw (UnixException.translateToIOException). */
        RETURNED_ACCESS_DENIED,
        /**
         * The method fails by returning false, with no errno (java.io.File's boolean methods): the
         * explainer is called with {@code null} for the exception and its answer is ignored; the
         * method still returns false.
         */
        RETURNED_FALSE,
        /** As {@link #RETURNED_FALSE}, for a method that fails by returning null (File.list). */
        RETURNED_NULL,
        /**
         * Before the method's body: the exit hook ({@link Weaver#EXIT_HOOK}) is asked with the
         * arguments and a null exception; a Throwable it answers is thrown, and the body never runs.
         */
        ENTRY
    }

    private static Method thrown(String name, String descriptor, Operation operation, int... arguments) {
        return new Method(name, descriptor, operation, arguments, Exit.THROWN);
    }

    private static Method returnsFalse(String name, String descriptor, Operation operation, int... arguments) {
        return new Method(name, descriptor, operation, arguments, Exit.RETURNED_FALSE);
    }

    /**
     * {@code Runtime.exit} (under {@code System.exit}) and {@code Runtime.halt}, for the policy's
     * {@code "exit"} rule; woven only when the policy controls it ({@link ExitInstrumentation}).
     * Signals and the end of {@code main} go through {@code Shutdown} directly, never these.
     */
    static final Target RUNTIME = new Target("java.base", "java/lang/Runtime", List.of(
            new Method("exit", "(I)V", Operation.RUNTIME_EXIT, new int[] {0}, Exit.ENTRY),
            new Method("halt", "(I)V", Operation.RUNTIME_HALT, new int[] {0}, Exit.ENTRY)));

    /** Whether this is a library's class, not the JDK's. */
    boolean library() {
        return module == null;
    }

    /**
     * Netty's {@code io.netty.channel.unix.Socket} (epoll and io_uring channels share it), as Netty
     * and as shaded under {@code prefix}: its JNI code calls socket, bind, connect and sendto, and
     * turns -errno into exceptions such as "connect(..) failed: Permission denied".
     */
    private static Target nettySocket(String prefix) {
        return new Target(null, prefix + "io/netty/channel/unix/Socket", List.of(
                thrown("newSocketStream0", "(Z)I", Operation.NETTY_STREAM_SOCKET, 0),
                thrown("newSocketDgram0", "(Z)I", Operation.NETTY_DATAGRAM_SOCKET, 0),
                thrown("newSocketDomain0", "()I", Operation.UNIX_SOCKET),
                thrown("bind", "(Ljava/net/SocketAddress;)V", Operation.NETTY_BIND, 0),
                thrown("connect", "(Ljava/net/SocketAddress;)Z", Operation.NETTY_CONNECT, 0),
                thrown("sendTo", "(Ljava/nio/ByteBuffer;IILjava/net/InetAddress;IZ)I", Operation.NETTY_SEND, 3, 4),
                thrown("sendToAddress", "(JIILjava/net/InetAddress;IZ)I", Operation.NETTY_SEND, 3, 4),
                thrown("sendToAddresses", "(JILjava/net/InetAddress;IZ)I", Operation.NETTY_SEND, 2, 3)));
    }

    static final List<Target> ALL = List.of(
            new Target("java.base", "sun/nio/ch/Net", List.of(
                    thrown("socket", "(Ljava/net/ProtocolFamily;Z)Ljava/io/FileDescriptor;", Operation.NET_SOCKET, 0, 1),
                    thrown("serverSocket", "(Ljava/net/ProtocolFamily;)Ljava/io/FileDescriptor;", Operation.NET_SERVER_SOCKET, 0),
                    thrown("bind", "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V",
                            Operation.NET_BIND, 0, 2, 3),
                    thrown("connect", "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)I",
                            Operation.NET_CONNECT, 0, 2, 3))),
            // every unconnected datagram send (DatagramChannel.send, DatagramSocket.send): ABI 10's connect_send_udp
            new Target("java.base", "sun/nio/ch/DatagramChannelImpl", List.of(
                    thrown("send", "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Ljava/net/InetSocketAddress;)I",
                            Operation.UDP_SEND, 2))),
            new Target("java.base", "sun/nio/ch/UnixDomainSockets", List.of(
                    thrown("socket", "()Ljava/io/FileDescriptor;", Operation.UNIX_SOCKET),
                    thrown("bind", "(Ljava/io/FileDescriptor;Ljava/nio/file/Path;)V", Operation.UNIX_BIND, 1),
                    thrown("connect", "(Ljava/io/FileDescriptor;Ljava/nio/file/Path;)I", Operation.UNIX_CONNECT, 1))),
            new Target("jdk.sctp", "sun/nio/ch/sctp/SctpNet", List.of(
                    thrown("socket", "(Z)Ljava/io/FileDescriptor;", Operation.SCTP_SOCKET, 0),
                    thrown("connect", "(ILjava/net/InetAddress;I)I", Operation.SCTP_CONNECT, 1, 2),
                    thrown("bindx", "(I[Ljava/net/InetAddress;IZ)V", Operation.SCTP_BIND, 1, 2))),
            // the interface list and look-ups: their native code asks the kernel through datagram sockets
            new Target("java.base", "java/net/NetworkInterface", List.of(
                    thrown("getNetworkInterfaces", "()Ljava/util/Enumeration;", Operation.NET_INTERFACES),
                    thrown("networkInterfaces", "()Ljava/util/stream/Stream;", Operation.NET_INTERFACES),
                    thrown("getByName", "(Ljava/lang/String;)Ljava/net/NetworkInterface;", Operation.NET_INTERFACES),
                    thrown("getByIndex", "(I)Ljava/net/NetworkInterface;", Operation.NET_INTERFACES),
                    thrown("getByInetAddress", "(Ljava/net/InetAddress;)Ljava/net/NetworkInterface;", Operation.NET_INTERFACES))),
            // every System.load and System.loadLibrary candidate file: dlopen's EACCES is an UnsatisfiedLinkError
            new Target("java.base", "jdk/internal/loader/NativeLibraries", List.of(
                    thrown("loadLibrary", "(Ljava/lang/Class;Ljava/io/File;)Ljdk/internal/loader/NativeLibrary;",
                            Operation.NATIVE_LIBRARY, 1))),
            new Target("java.base", "java/net/InetAddress$PlatformResolver", List.of(
                    thrown("lookupByName",
                            "(Ljava/lang/String;Ljava/net/spi/InetAddressResolver$LookupPolicy;)Ljava/util/stream/Stream;",
                            Operation.DNS_LOOKUP, 0))),
            // java.io.File's operations: they return false (or null) where NIO would throw
            new Target("java.base", "java/io/UnixFileSystem", List.of(
                    returnsFalse("createDirectory", "(Ljava/io/File;)Z", Operation.FILE_MKDIR, 0),
                    returnsFalse("delete", "(Ljava/io/File;)Z", Operation.FILE_DELETE, 0),
                    returnsFalse("rename", "(Ljava/io/File;Ljava/io/File;)Z", Operation.FILE_RENAME, 0, 1),
                    returnsFalse("setPermission", "(Ljava/io/File;IZZ)Z", Operation.FILE_SET_PERMISSION, 0),
                    new Method("list", "(Ljava/io/File;)[Ljava/lang/String;", Operation.FILE_LIST, new int[] {0}, Exit.RETURNED_NULL),
                    thrown("createFileExclusively", "(Ljava/lang/String;)Z", Operation.FILE_CREATE, 0))),
            new Target("java.base", "java/io/FileInputStream", List.of(
                    thrown("open", "(Ljava/lang/String;)V", Operation.FILE_READ, 0))),
            new Target("java.base", "java/io/FileOutputStream", List.of(
                    thrown("open", "(Ljava/lang/String;Z)V", Operation.FILE_WRITE, 0, 1))),
            new Target("java.base", "java/io/RandomAccessFile", List.of(
                    thrown("open", "(Ljava/lang/String;I)V", Operation.FILE_RANDOM, 0, 1))),
            // turns an errno of the NIO file system into the exception Files.* throw (EACCES: AccessDeniedException)
            new Target("java.base", "sun/nio/fs/UnixException", List.of(
                    new Method("translateToIOException", "(Ljava/lang/String;Ljava/lang/String;)Ljava/io/IOException;",
                            Operation.FILE_NIO, new int[] {0, 1}, Exit.RETURNED_ACCESS_DENIED))),
            nettySocket(""),
            nettySocket("io/grpc/netty/shaded/"));

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
