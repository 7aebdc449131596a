package dev.landlockagent.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A path as Landlock sees it when it checks an access: absolute, with the symbolic links of the
 * part that exists resolved (a file about to be created is checked against its folder's rules).
 */
public final class KernelPath {
    private KernelPath() {
    }

    public static Path of(Path path) {
        Path p = path.toAbsolutePath().normalize();
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
}
