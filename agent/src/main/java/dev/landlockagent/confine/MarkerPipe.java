package dev.landlockagent.confine;

import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the {@link Marker} reaches the re-executed JVM: through a pipe the new JVM inherits, never
 * on its command line. A command line is readable by every user ({@code ps},
 * {@code /proc/PID/cmdline}); HotSpot copies it into crash reports and into the
 * {@code JAVA_TOOL_OPTIONS} of the child JVM that assembles a one-step AOT cache, which prints
 * them. The marker holds the seccomp canary and the user's moved {@code JAVA_TOOL_OPTIONS}. The
 * command line carries only a reference, {@code -Dlandlock.agent.exec=fd:N:INODE}: which
 * descriptor, and which pipe.
 *
 * <p>The first JVM writes the whole marker into a new pipe, closes the write end and puts the read
 * end at descriptor N, the first one after systemd's. The re-executed JVM checks that N is still
 * that pipe (so a copied reference never makes it read another process's pipe), reads it to its
 * end and so empties it. No child of it finds anything there: {@code ProcessBuilder} closes every
 * descriptor above 2 in the child, and one that inherits N by another way reads end-of-file.
 */
final class MarkerPipe {
    private static final String PREFIX = "fd:";
    /** A marker is some hundreds of bytes; a pipe holds at least a page. */
    private static final int MAX = 1 << 16;

    private MarkerPipe() {
    }

    static boolean isReference(String value) {
        return value.startsWith(PREFIX);
    }

    /**
     * Hands {@code marker} over at descriptor {@code fd}; returns the reference for the command
     * line. The pipe is non-blocking: a marker the pipe cannot hold fails here instead of hanging.
     */
    static String hand(Syscalls sys, byte[] marker, int fd) throws StartupFailure {
        try {
            int[] pipe = sys.pipe();
            int written = sys.write(pipe[1], marker);
            if (written != marker.length) {
                throw new StartupFailure("cannot hand the marker to the re-executed JVM: the pipe took " + written + " of its "
                        + marker.length + " bytes (JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS travel in it; shorten them)");
            }
            // Both ends are close-on-exec: execve closes the write end, and the read end where it
            // was, which leaves the pipe with no writer: the new JVM reads to end-of-file.
            sys.inheritAs(pipe[0], fd);
        } catch (SyscallException e) {
            throw new StartupFailure("cannot hand the marker to the re-executed JVM: " + e.getMessage(), e);
        }
        String inode = pipeInode(fd);
        return PREFIX + fd + (inode == null ? "" : ":" + inode);
    }

    /**
     * The marker a reference names, or null: the descriptor is not the pipe it names, or the pipe
     * is empty (read before, by this JVM or its parent).
     */
    static String take(String reference) {
        String[] parts = reference.substring(PREFIX.length()).split(":", 2);
        int fd;
        try {
            fd = Integer.parseInt(parts[0]);
        } catch (NumberFormatException e) {
            return null;
        }
        String inode = pipeInode(fd);
        if (inode == null || (parts.length == 2 && !parts[1].equals(inode))) {
            return null;
        }
        try (FileInputStream in = new FileInputStream("/proc/self/fd/" + fd)) {
            byte[] marker = in.readNBytes(MAX);
            return marker.length == 0 ? null : new String(marker, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** The inode of the pipe at {@code fd} ({@code pipe:[4711]} in /proc), or null when it is none. */
    private static String pipeInode(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("pipe:[") && target.endsWith("]") ? target.substring(6, target.length() - 1) : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
