package dev.landlockagent.instrument.advice;

import net.bytebuddy.asm.Advice;

/**
 * Inlined at the exit of sun.nio.ch.DatagramChannelImpl.send(FileDescriptor, ByteBuffer,
 * InetSocketAddress), where every unconnected datagram send (DatagramChannel.send,
 * DatagramSocket.send) ends up: Landlock's connect_send_udp (ABI 10). When it throws, the agent's explainer
 * ({@code dev.landlockagent.bootstrap.DenialHook}) may replace the exception with one of the same
 * class whose message names the denied operation, the policy and the fix. The code uses only
 * java.base types: it runs inside java.base.
 */
public final class UdpSendAdvice {
    private UdpSendAdvice() {
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    @SuppressWarnings({"unchecked", "rawtypes", "UnusedAssignment"})
    static void exit(@Advice.Argument(2) java.net.InetSocketAddress target,
                     @Advice.Thrown(readOnly = false) Throwable thrown) {
        if (thrown != null) {
            try {
                Object h = Class.forName("dev.landlockagent.bootstrap.DenialHook", true, ClassLoader.getSystemClassLoader())
                        .getMethod("handler").invoke(null);
                if (h instanceof java.util.function.BiFunction) {
                    Object r = ((java.util.function.BiFunction) h).apply("udp.send",
                            new Object[] {target.getAddress(), Integer.valueOf(target.getPort()), thrown});
                    if (r instanceof Throwable) {
                        thrown = (Throwable) r;
                    }
                }
            } catch (Throwable ignored) {
                // no explainer: the JDK's own exception stands
            }
        }
    }
}
