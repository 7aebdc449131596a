package dev.landlockagent.policy;

import java.nio.file.Path;
import java.util.Map;

/**
 * What substitutions and relative paths resolve against. {@code appDir} is the main jar's folder
 * (null when the application was not started with {@code -jar}); {@code relativeBase} is the folder
 * of the policy file (null when the policy has no folder, such as a resource on a directory class path).
 */
public record PolicyContext(Path javaHome, Path tmpDir, Path userHome, Path userDir, Path appDir,
                            Path relativeBase, Map<String, String> env) {

    /** The context of the running JVM. */
    public static PolicyContext ofThisJvm(Path appDir, Path relativeBase) {
        return new PolicyContext(
                Path.of(System.getProperty("java.home")),
                Path.of(System.getProperty("java.io.tmpdir")),
                Path.of(System.getProperty("user.home")),
                Path.of(System.getProperty("user.dir")),
                appDir, relativeBase, System.getenv());
    }

    /** For tests: fixed values and environment. */
    public static PolicyContext of(Path javaHome, Path tmpDir, Path userHome, Path userDir, Path appDir,
                                   Path relativeBase, Map<String, String> env) {
        return new PolicyContext(javaHome, tmpDir, userHome, userDir, appDir, relativeBase, Map.copyOf(env));
    }

    public PolicyContext withRelativeBase(Path base) {
        return new PolicyContext(javaHome, tmpDir, userHome, userDir, appDir, base, env);
    }
}
