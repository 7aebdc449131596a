package dev.landlockagent.explain;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.plan.PathGrant;
import dev.landlockagent.plan.RulesetPlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Which Landlock rights the plan grants at a path, as the kernel computes them: the union of the
 * rules on the path itself and on every folder above it, after symbolic links are resolved.
 */
final class FileAccess {
    private FileAccess() {
    }

    /** The path as the kernel sees it: absolute, with the existing part's symbolic links resolved. */
    static Path resolve(String file) {
        Path p = Path.of(file).toAbsolutePath().normalize();
        Path existing = p;
        Path rest = null;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            rest = rest == null ? existing.getFileName() : existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return p;
        }
        try {
            Path real = existing.toRealPath();
            return rest == null ? real : real.resolve(rest);
        } catch (IOException | SecurityException e) {
            return p;
        }
    }

    /** The rights granted at {@code path}. */
    static long granted(RulesetPlan plan, Path path) {
        long access = 0;
        for (PathGrant g : plan.paths()) {
            Path root = realOrSelf(g.path());
            if (path.startsWith(root)) {
                boolean exactFile = path.equals(root);
                boolean beneathFolder = !path.equals(root) && Files.isDirectory(root);
                if (exactFile || beneathFolder) {
                    access |= g.access();
                }
            }
        }
        return access;
    }

    private static Path realOrSelf(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException | SecurityException e) {
            return p;
        }
    }

    /** The kernel names of {@code rights}, e.g. "read_file, write_file". */
    static String names(long rights) {
        return AccessFs.names(rights);
    }

    /** Policy access names that cover {@code rights}: the groups where they fit, else kernel names. */
    static String allowList(long rights) {
        StringBuilder b = new StringBuilder();
        long rest = rights;
        if ((rest & (AccessFs.READ_FILE.mask() | AccessFs.READ_DIR.mask())) != 0) {
            b.append("\"read\"");
            rest &= ~(AccessFs.READ_FILE.mask() | AccessFs.READ_DIR.mask());
        }
        long write = dev.landlockagent.policy.AccessNames.WRITE;
        if ((rest & write) != 0) {
            b.append(b.isEmpty() ? "" : ", ").append("\"write\"");
            rest &= ~write;
        }
        for (AccessFs a : AccessFs.of(rest)) {
            b.append(b.isEmpty() ? "" : ", ").append('"').append(a.kernelName()).append('"');
        }
        return "[" + b + "]";
    }
}
