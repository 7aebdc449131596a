package dev.landlockagent.instrument.advice;

import net.bytebuddy.asm.Advice;

/**
 * Inlined at the exit of sun.nio.fs.UnixException.translateToIOException(String, String), which
 * turns an errno from the NIO file system into the exception Files.* throw (EACCES becomes
 * AccessDeniedException). The explainer may return one with the denied access and the fix as its
 * reason. Only java.base types: it runs inside java.base.
 */
public final class UnixExceptionAdvice {
    private UnixExceptionAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    @SuppressWarnings({"unchecked", "rawtypes", "UnusedAssignment"})
    static void exit(@Advice.Argument(0) String file, @Advice.Argument(1) String other,
                     @Advice.Return(readOnly = false) java.io.IOException result) {
        if (result instanceof java.nio.file.AccessDeniedException) {
            try {
                Object h = Class.forName("dev.landlockagent.bootstrap.DenialHook", true, ClassLoader.getSystemClassLoader())
                        .getMethod("handler").invoke(null);
                if (h instanceof java.util.function.BiFunction) {
                    Object r = ((java.util.function.BiFunction) h).apply("file.nio", new Object[] {file, other, result});
                    if (r instanceof java.io.IOException) {
                        result = (java.io.IOException) r;
                    }
                }
            } catch (Throwable ignored) {
                // no explainer: the JDK's own exception stands
            }
        }
    }
}
