package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessFs;

import java.nio.file.Path;

/**
 * One Landlock path-beneath rule to add: {@code access} on {@code path} (a folder and everything
 * beneath it, or one file). {@code origin} says where it comes from, for messages: a policy key
 * with its location, or the JVM baseline entry.
 */
public record PathGrant(Path path, long access, boolean fromPolicy, String origin) {
    @Override
    public String toString() {
        return path + " [" + AccessFs.names(access) + "] (" + origin + ")";
    }
}
