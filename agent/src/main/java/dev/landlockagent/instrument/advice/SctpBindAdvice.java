package dev.landlockagent.instrument.advice;

import net.bytebuddy.asm.Advice;

/**
 * Inlined at the exit of sun.nio.ch.sctp.SctpNet.bindx(int, InetAddress[], int, boolean). When the JDK method throws, the agent's explainer
 * ({@code dev.landlockagent.bootstrap.DenialHook}) may replace the exception with one of the same
 * class whose message names the denied operation, the policy and the fix. The code uses only
 * java.base types: it runs inside java.base.
 */
public final class SctpBindAdvice {
    private SctpBindAdvice() {
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    @SuppressWarnings({"unchecked", "rawtypes", "UnusedAssignment"})
    static void exit(@Advice.Argument(1) java.net.InetAddress[] addresses,
                            @Advice.Argument(2) int port,
                            @Advice.Thrown(readOnly = false) Throwable thrown) {
        if (thrown != null) {
            try {
                Object h = Class.forName("dev.landlockagent.bootstrap.DenialHook", true, ClassLoader.getSystemClassLoader())
                        .getMethod("handler").invoke(null);
                if (h instanceof java.util.function.BiFunction) {
                    Object r = ((java.util.function.BiFunction) h).apply("sctp.bind", new Object[] {addresses, Integer.valueOf(port), thrown});
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
