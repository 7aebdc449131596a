package dev.landlockagent.confine;

import dev.landlockagent.plan.PathGrant;
import dev.landlockagent.plan.RulesetPlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The rights a plan grants at a path: the union of the rules on it and on the folders above it. */
final class FileGrants {
    private FileGrants() {
    }

    static long granted(RulesetPlan plan, Path path) {
        Path target = real(path);
        long access = 0;
        for (PathGrant g : plan.paths()) {
            Path root = real(g.path());
            if (target.equals(root) || (target.startsWith(root) && Files.isDirectory(root))) {
                access |= g.access();
            }
        }
        return access;
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException | SecurityException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
