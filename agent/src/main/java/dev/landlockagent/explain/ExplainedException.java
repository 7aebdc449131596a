package dev.landlockagent.explain;

import dev.landlockagent.instrument.Operation;

import java.lang.reflect.Constructor;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;

/**
 * The exception thrown in place of the JDK's: of the same class (so the application's catch blocks
 * behave as before), with the same stack trace, and the explanation in its message.
 */
final class ExplainedException {
    static final String EACCES = "Permission denied";
    static final String EPERM = "Operation not permitted";
    /** EROFS: what a write outside the writable paths meets first in the read-only view of a root JVM. */
    static final String EROFS = "Read-only file system";

    private ExplainedException() {
    }

    /** Whether {@code t} is how the JDK reports EACCES, EPERM or EROFS. */
    static boolean isPermissionDenial(Throwable t) {
        if (t instanceof AccessDeniedException) {
            return true;
        }
        String m = t == null ? null : t.getMessage();
        return m != null && (m.contains(EACCES) || m.contains(EPERM) || m.contains(EROFS));
    }

    /** The replacement for {@code thrown}, or null when its class cannot be rebuilt (keep the original). */
    static Throwable of(Throwable thrown, String explanation, Operation operation, boolean byPolicy) {
        try {
            Throwable replacement;
            if (thrown instanceof AccessDeniedException ade) {
                replacement = new AccessDeniedException(ade.getFile(), ade.getOtherFile(), EACCES + ": " + explanation);
            } else if (thrown instanceof FileSystemException fse && fse.getClass() == FileSystemException.class) {
                // A write the policy denies meets the read-only view (EROFS) before Landlock (EACCES): the
                // same AccessDeniedException as without the view. EPERM keeps its class.
                replacement = byPolicy && EROFS.equals(fse.getReason())
                        ? new AccessDeniedException(fse.getFile(), fse.getOtherFile(), EACCES + ": " + explanation)
                        : new FileSystemException(fse.getFile(), fse.getOtherFile(), fse.getReason() + ": " + explanation);
            } else if (operation.isFile()) {
                // FileNotFoundException("path (Permission denied)"): keep the JDK's form, explained.
                String m = String.valueOf(thrown.getMessage());
                int paren = m.lastIndexOf(" (");
                String head = paren > 0 ? m.substring(0, paren) : m;
                String reason = byPolicy || !m.contains(EROFS) ? EACCES : EROFS;
                replacement = newInstance(thrown.getClass(), head + " (" + reason + ": " + explanation + ")");
            } else if (operation == Operation.DNS_LOOKUP || operation == Operation.NATIVE_LIBRARY) {
                // The resolver's and dlopen's own words stay first: they name the host or the file.
                replacement = newInstance(thrown.getClass(), thrown.getMessage() + " (landlock-agent: " + explanation + ")");
            } else {
                String m = String.valueOf(thrown.getMessage());
                String prefix = m.startsWith(EPERM) ? EPERM : EACCES;
                replacement = newInstance(thrown.getClass(), prefix + ": " + explanation);
            }
            if (replacement == null) {
                return null;
            }
            replacement.setStackTrace(thrown.getStackTrace());
            return replacement;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Throwable newInstance(Class<? extends Throwable> type, String message) {
        try {
            Constructor<? extends Throwable> c = type.getConstructor(String.class);
            return c.newInstance(message);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
