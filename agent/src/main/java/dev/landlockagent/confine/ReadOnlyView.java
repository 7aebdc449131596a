package dev.landlockagent.confine;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;
import dev.landlockagent.plan.PathGrant;
import dev.landlockagent.plan.RulesetPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Landlock has no rights for metadata: inside a domain, chmod, chown, setxattr and utimensat work
 * on any file the process owns, or on any file at all with the capabilities to override that
 * (upstream issue #11), and an O_PATH descriptor reaches them without a Landlock check. What the
 * kernel does refuse on any file is a metadata change through a read-only mount (EROFS, checked
 * before the permission and the LSM). So a JVM that may make mounts (CAP_SYS_ADMIN: root, as in
 * most images run outside Docker's default capability set) gets its own mount namespace, every
 * mount in it read-only, and the paths the policy lets it write bound back read-write. systemd's
 * {@code ProtectSystem=strict} with {@code ReadWritePaths=} is the model.
 *
 * <p>Only the calling thread enters the new namespace, so this is for the re-exec path, whose new
 * JVM is born in it; and it comes before the Landlock domain, which refuses every mount change
 * afterwards (as does the seccomp filter's {@code @mount}). Mounts the host makes later still
 * reach the view (slave propagation); the view's own never reach the host.
 */
final class ReadOnlyView {
    static final long MS_BIND = 0x1000;
    static final long MS_REC = 0x4000;
    static final long MS_SLAVE = 1 << 19;
    static final int AT_RECURSIVE = 0x8000;
    static final long MOUNT_ATTR_RDONLY = 0x1;
    /** The rights that change what is in a file or a folder: where they are granted, the mount stays writable. */
    static final long WRITING = AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask() | AccessFs.REMOVE_DIR.mask()
            | AccessFs.REMOVE_FILE.mask() | AccessFs.MAKE_CHAR.mask() | AccessFs.MAKE_DIR.mask() | AccessFs.MAKE_REG.mask()
            | AccessFs.MAKE_SOCK.mask() | AccessFs.MAKE_FIFO.mask() | AccessFs.MAKE_BLOCK.mask() | AccessFs.MAKE_SYM.mask();

    private ReadOnlyView() {
    }

    /** One mount of /proc/self/mountinfo: where it is, and whether it is read-only there. */
    record Mount(Path point, boolean readOnly) {
    }

    /** One step of making the view. */
    record Step(String what, Path path) {
    }

    /** The paths the plan lets the JVM write, real (symbolic links resolved), folders and regular files only. */
    static List<Path> writablePaths(RulesetPlan plan) {
        TreeSet<Path> out = new TreeSet<>();
        for (PathGrant g : plan.paths()) {
            if ((g.access() & WRITING) == 0) {
                continue;
            }
            try {
                Path real = g.path().toRealPath();
                if (Files.isDirectory(real) || Files.isRegularFile(real)) {
                    out.add(real); // a device such as /dev/null is written through a read-only mount too
                }
            } catch (IOException missing) {
                // the Landlock rule skips or refuses it the same way
            }
        }
        // A path below another is in that one's bind already; its own bind would make it a mount
        // point, which cannot be removed (rmdir: EBUSY) or renamed.
        List<Path> outermost = new ArrayList<>();
        for (Path p : out) {
            boolean inside = false;
            for (Path o : outermost) {
                inside |= p.startsWith(o);
            }
            if (!inside) {
                outermost.add(p);
            }
        }
        return List.copyOf(outermost);
    }

    /**
     * The steps for {@code writable}: bind each onto itself (with what is mounted below it), then
     * make writable again the bind and each mount below it that was writable before; a mount that
     * was read-only stays so.
     */
    static List<Step> steps(List<Path> writable, List<Mount> mounts) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("read-only", Path.of("/")));
        for (Path p : writable) {
            steps.add(new Step("bind", p));
            Mount holder = null;
            for (Mount m : mounts) {
                if (p.startsWith(m.point()) && (holder == null || m.point().getNameCount() >= holder.point().getNameCount())) {
                    holder = m;
                }
            }
            if (holder != null && !holder.readOnly()) {
                steps.add(new Step("writable", p));
            }
            TreeSet<Path> below = new TreeSet<>();
            for (Mount m : mounts) {
                if (!m.point().equals(p) && m.point().startsWith(p)) {
                    if (m.readOnly()) {
                        below.remove(m.point()); // the top mount at a point decides
                    } else {
                        below.add(m.point());
                    }
                }
            }
            for (Path m : below) {
                steps.add(new Step("writable", m));
            }
        }
        return steps;
    }

    /**
     * The first two steps: a mount namespace of this thread's own, whose mounts no longer
     * propagate back to the host. Harmless alone (the same mounts), so {@link Startup} tries them
     * first and does without the view where they fail (no CAP_SYS_ADMIN, or an AppArmor or
     * seccomp profile that forbids mounts).
     */
    static void enter(Syscalls sys) throws SyscallException {
        sys.unshareMountNamespace();
        sys.mount(null, "/", MS_REC | MS_SLAVE);
    }

    /**
     * Applies {@link #steps} after {@link #enter}, then enters the working directory again by its
     * path: the process's working directory is a place in a mount, and after a bind over it, it is
     * still the place in the mount below, now read-only. Without this, a relative path in a
     * writable working directory (a crash report, a heap dump, {@code new File("out.txt")}) saw
     * EROFS.
     */
    static void apply(List<Step> steps, Syscalls sys) throws SyscallException {
        for (Step s : steps) {
            switch (s.what()) {
                case "read-only" -> sys.mountSetattr(s.path().toString(), AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0);
                case "bind" -> sys.mount(s.path().toString(), s.path().toString(), MS_BIND | MS_REC);
                case "writable" -> sys.mountSetattr(s.path().toString(), 0, 0, MOUNT_ATTR_RDONLY);
                default -> throw new IllegalArgumentException(s.what());
            }
        }
        if (!steps.isEmpty()) {
            try {
                sys.chdir(System.getProperty("user.dir"));
            } catch (SyscallException gone) {
                // the working directory was removed: nothing can be written there anyway
            }
        }
    }

    /** This process's mounts, in the order /proc/self/mountinfo lists them (later ones on top). */
    static List<Mount> mounts() throws IOException {
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/mountinfo")) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** proc(5): "36 35 98:0 /root /mount/point rw,noatime master:1 - ext3 /dev/root rw": fields 5 and 6. */
    static List<Mount> parse(String mountinfo) {
        List<Mount> out = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 6) {
                continue;
            }
            boolean readOnly = false;
            for (String o : f[5].split(",")) {
                readOnly |= o.equals("ro");
            }
            out.add(new Mount(Path.of(unescape(f[4])), readOnly));
        }
        return out;
    }

    /** The kernel writes space, tab, newline and backslash in a mount point as \040, \011, \012, \134. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException | StringIndexOutOfBoundsException notAnEscape) {
                    // a plain backslash
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
