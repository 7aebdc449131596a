package dev.landlockagent.explain;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.plan.KernelPath;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.policy.AccessNames;

import java.nio.file.Path;

/**
 * Paths and rights in the words of a denial: the path as the kernel saw it, the rights granted
 * there ({@link RulesetPlan#grantedAt}), and the policy names that would grant the missing ones.
 */
final class FileAccess {
    private FileAccess() {
    }

    /** The path as the kernel sees it: absolute, with the existing part's symbolic links resolved. */
    static Path resolve(String file) {
        return KernelPath.of(Path.of(file));
    }

    /** The folder a file or socket named {@code file} is made in, as the kernel sees it. */
    static Path folderOf(String file) {
        Path p = resolve(file);
        return p.getParent() == null ? p : p.getParent();
    }

    /** The rights granted at {@code path}. */
    static long granted(RulesetPlan plan, Path path) {
        return plan.grantedAt(path);
    }

    /** The kernel names of {@code rights}, e.g. "read_file, write_file". */
    static String names(long rights) {
        return AccessFs.names(rights);
    }

    /** Policy access names that cover {@code rights}: the groups where they fit, else kernel names. */
    static String allowList(long rights) {
        StringBuilder b = new StringBuilder();
        long rest = rights;
        if ((rest & AccessNames.READ) != 0) {
            b.append("\"read\"");
            rest &= ~AccessNames.READ;
        }
        long write = AccessNames.WRITE;
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
