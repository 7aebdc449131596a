package dev.landlockagent.confine;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;
import dev.landlockagent.plan.RulesetPlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The TSYNC path's answer to what the re-exec path gets from close-on-exec: no descriptor the JVM
 * inherited, other than the standard streams and systemd's LISTEN_FDS, survives into the
 * application. Landlock checks a file when it is opened, so a descriptor opened outside the domain
 * (a shell's {@code 7<secret.txt}) would otherwise read what the policy denies.
 *
 * <p>Close-on-exec does not tell inherited descriptors from the JVM's own: the JVM's jimage
 * descriptor ({@code lib/modules}) is not close-on-exec either (measured). The rule is what each
 * descriptor names: one survives if the policy lets the JVM open its file with the same access
 * mode (the jimage, class path and agent jars), if a HotSpot flag on the JVM's command line
 * ({@code -X...}) names its file (a log file the operator chose), or if it is an O_PATH descriptor (which reads and writes
 * nothing). Anything else goes: files the policy does not grant in that mode, deleted files and
 * memfds, and pipes, sockets and other anonymous objects, of which a JVM has none of its own when
 * the agent starts (measured). It is not closed but replaced by /dev/null, so that its number is
 * not reused while anything still holds it.
 */
final class InheritedDescriptors {
    /** O_ACCMODE and O_PATH ({@code include/uapi/asm-generic/fcntl.h}, the same on x86). */
    static final int O_ACCMODE = 03;
    static final int O_WRONLY = 01;
    static final int O_RDWR = 02;
    static final int O_PATH = 010000000;

    private InheritedDescriptors() {
    }

    /** One open descriptor: what /proc/self/fd links it to, and its open flags from /proc/self/fdinfo. */
    record Descriptor(String target, int flags) {
    }

    /** The descriptors from {@code first} up that must not reach the application. */
    static List<Integer> unwanted(Map<Integer, Descriptor> open, int first, RulesetPlan plan, List<String> jvmOptions) {
        List<Integer> out = new ArrayList<>();
        for (Map.Entry<Integer, Descriptor> e : open.entrySet()) {
            if (e.getKey() >= first && !wanted(e.getValue(), plan, jvmOptions)) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    static boolean wanted(Descriptor d, RulesetPlan plan, List<String> jvmOptions) {
        String t = d.target();
        if (!t.startsWith("/") || t.endsWith(" (deleted)") || t.startsWith("/memfd:")) {
            return false;
        }
        if ((d.flags() & O_PATH) != 0) {
            return true;
        }
        for (String o : jvmOptions) {
            // HotSpot's own flags (-Xlog:...:file=, -Xloggc:, -XX:...=path), not -D properties,
            // which are the application's to read: a hostile one could name any inherited file.
            if (o.startsWith("-X") && o.contains(t)) {
                return true;
            }
        }
        Path p = Path.of(t);
        long need;
        if (Files.isDirectory(p)) {
            need = AccessFs.READ_DIR.mask();
        } else {
            int mode = d.flags() & O_ACCMODE;
            need = mode == O_WRONLY ? AccessFs.WRITE_FILE.mask()
                    : mode == O_RDWR ? AccessFs.READ_FILE.mask() | AccessFs.WRITE_FILE.mask() : AccessFs.READ_FILE.mask();
        }
        long denied = need & plan.handledFs() & ~plan.grantedAt(p);
        return denied == 0;
    }

    /** This process's open descriptors, listed and then read (the listing's own descriptor is closed by then). */
    static Map<Integer, Descriptor> open() throws StartupFailure {
        Map<Integer, Descriptor> out = new TreeMap<>();
        for (int fd : ThisJvm.openDescriptors()) {
            try {
                String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
                int flags = 0;
                for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                    if (line.startsWith("flags:")) {
                        flags = Integer.parseInt(line.substring("flags:".length()).strip(), 8);
                    }
                }
                out.put(fd, new Descriptor(target, flags));
            } catch (IOException | NumberFormatException gone) {
                // closed meanwhile: the listing's own descriptor
            }
        }
        return out;
    }

    /** Puts /dev/null in the place of each of {@code fds}. */
    static void replace(List<Integer> fds, Syscalls sys) throws StartupFailure {
        if (fds.isEmpty()) {
            return;
        }
        int devNull;
        try {
            devNull = sys.openReadWrite("/dev/null");
        } catch (SyscallException e) {
            throw new StartupFailure("cannot open /dev/null to close inherited descriptors " + fds + ": " + e.getMessage(), e);
        }
        try {
            for (int fd : fds) {
                sys.replaceDescriptor(devNull, fd);
            }
        } catch (SyscallException e) {
            throw new StartupFailure("cannot close the inherited descriptors " + fds + ": " + e.getMessage(), e);
        } finally {
            try {
                sys.close(devNull);
            } catch (SyscallException ignored) {
                // O_CLOEXEC
            }
        }
    }
}
