package dev.landlockagent.instrument;

import dev.landlockagent.instrument.advice.FileInputStreamAdvice;
import dev.landlockagent.instrument.advice.FileOutputStreamAdvice;
import dev.landlockagent.instrument.advice.NetBindAdvice;
import dev.landlockagent.instrument.advice.NetConnectAdvice;
import dev.landlockagent.instrument.advice.NetServerSocketAdvice;
import dev.landlockagent.instrument.advice.NetSocketAdvice;
import dev.landlockagent.instrument.advice.RandomAccessFileAdvice;
import dev.landlockagent.instrument.advice.ResolverAdvice;
import dev.landlockagent.instrument.advice.SctpBindAdvice;
import dev.landlockagent.instrument.advice.SctpConnectAdvice;
import dev.landlockagent.instrument.advice.SctpSocketAdvice;
import dev.landlockagent.instrument.advice.UdpSendAdvice;
import dev.landlockagent.instrument.advice.UnixBindAdvice;
import dev.landlockagent.instrument.advice.UnixConnectAdvice;
import dev.landlockagent.instrument.advice.UnixExceptionAdvice;
import dev.landlockagent.instrument.advice.UnixSocketAdvice;

import java.util.List;
import java.util.Map;

/**
 * A JDK class the agent instruments: the funnels every public socket and file API goes through
 * (FACTS.md, "The JDK's socket paths"), each method with its advice. {@code descriptor} pins the
 * exact overload.
 */
record Target(String module, String internalName, List<Method> methods) {
    record Method(String name, String descriptor, Class<?> advice) {
    }

    static final List<Target> ALL = List.of(
            new Target("java.base", "sun/nio/ch/Net", List.of(
                    new Method("socket", "(Ljava/net/ProtocolFamily;Z)Ljava/io/FileDescriptor;", NetSocketAdvice.class),
                    new Method("serverSocket", "(Ljava/net/ProtocolFamily;)Ljava/io/FileDescriptor;", NetServerSocketAdvice.class),
                    new Method("bind", "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V", NetBindAdvice.class),
                    new Method("connect", "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)I",
                            NetConnectAdvice.class))),
            new Target("java.base", "sun/nio/ch/DatagramChannelImpl", List.of(
                    new Method("send", "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Ljava/net/InetSocketAddress;)I",
                            UdpSendAdvice.class))),
            new Target("java.base", "sun/nio/ch/UnixDomainSockets", List.of(
                    new Method("socket", "()Ljava/io/FileDescriptor;", UnixSocketAdvice.class),
                    new Method("bind", "(Ljava/io/FileDescriptor;Ljava/nio/file/Path;)V", UnixBindAdvice.class),
                    new Method("connect", "(Ljava/io/FileDescriptor;Ljava/nio/file/Path;)I", UnixConnectAdvice.class))),
            new Target("jdk.sctp", "sun/nio/ch/sctp/SctpNet", List.of(
                    new Method("socket", "(Z)Ljava/io/FileDescriptor;", SctpSocketAdvice.class),
                    new Method("connect", "(ILjava/net/InetAddress;I)I", SctpConnectAdvice.class),
                    new Method("bindx", "(I[Ljava/net/InetAddress;IZ)V", SctpBindAdvice.class))),
            new Target("java.base", "java/net/InetAddress$PlatformResolver", List.of(
                    new Method("lookupByName", "(Ljava/lang/String;Ljava/net/spi/InetAddressResolver$LookupPolicy;)Ljava/util/stream/Stream;",
                            ResolverAdvice.class))),
            new Target("java.base", "java/io/FileInputStream", List.of(
                    new Method("open", "(Ljava/lang/String;)V", FileInputStreamAdvice.class))),
            new Target("java.base", "java/io/FileOutputStream", List.of(
                    new Method("open", "(Ljava/lang/String;Z)V", FileOutputStreamAdvice.class))),
            new Target("java.base", "java/io/RandomAccessFile", List.of(
                    new Method("open", "(Ljava/lang/String;I)V", RandomAccessFileAdvice.class))),
            new Target("java.base", "sun/nio/fs/UnixException", List.of(
                    new Method("translateToIOException", "(Ljava/lang/String;Ljava/lang/String;)Ljava/io/IOException;",
                            UnixExceptionAdvice.class))));

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
