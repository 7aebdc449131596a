package dev.landlockagent.confine;

import dev.landlockagent.linux.ProcStatus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, in the re-executed JVM, that a {@link Marker}'s proof was really left by the first JVM of this
 * process and not set by hand. No FFM here: linking a downcall would cost the second JVM ~100 ms.
 *
 * <ol>
 *   <li>The PID must be ours: execve keeps it, a child process (which inherits a copied command
 *       line) has another.</li>
 *   <li>no_new_privs must be set, as the first JVM set it before restricting itself.</li>
 *   <li>The seccomp canary must answer: a positional read at the secret offset must fail. Without
 *       the first JVM's filter, reading past the end of a file simply returns end-of-file; only a
 *       filter installed after the Landlock domain (in the same process, before exec) fails it.</li>
 * </ol>
 */
public final class Verification {
    private Verification() {
    }

    /** Why a marker was not accepted; null when it was. */
    public static String reject(ConfinementProof proof, long pid, Path readableFile) {
        if (proof.pid() != pid) {
            return "it was set for process " + proof.pid() + ", this is " + pid;
        }
        if (proof.canaryOffset() <= 0) {
            return "it has no canary";
        }
        String nnp = noNewPrivs();
        if (nnp != null) {
            return nnp;
        }
        return canary(readableFile, proof.canaryOffset());
    }

    /**
     * Only the positional read may answer: a file that cannot be opened (or is not a regular file,
     * whose read can fail for its own reasons) proves nothing. A regular file that opened reads past
     * its end as end-of-file; only the filter makes that read fail.
     */
    static String canary(Path readableFile, long offset) {
        if (!Files.isRegularFile(readableFile)) {
            return "the seccomp canary could not be probed: " + readableFile + " is not a readable regular file";
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(readableFile);
        } catch (IOException e) {
            return "the seccomp canary could not be probed: opening " + readableFile + " failed (" + e.getMessage() + ")";
        }
        try (ch) {
            int n = ch.read(ByteBuffer.allocate(1), offset);
            return "the seccomp canary did not answer (read returned " + n + ")";
        } catch (IOException expected) {
            return null; // the filter's errno on pread64 at the secret offset
        }
    }

    private static String noNewPrivs() {
        long value;
        try {
            value = ProcStatus.self().number("NoNewPrivs", -1);
        } catch (IOException e) {
            return null; // the canary decides
        }
        return value == -1 || value == 1 ? null : "no_new_privs is not set"; // -1: a kernel without the field
    }
}
