package dev.landlockagent.policy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What substitutions and relative paths resolve against. {@code appDir} is the main jar's folder
 * (null when the application was not started with {@code -jar}); {@code relativeBase} is the folder
 * of the policy file (null when the policy has no folder, such as a resource on a directory class path).
 * {@code files} is the parser's only access to the file system: whether a rule's path exists and
 * is a folder. It never reads a file.
 */
public record PolicyContext(Path javaHome, Path tmpDir, Path userHome, Path userDir, Path appDir,
                            Path relativeBase, Map<String, String> env, FileKinds files) {

    /** What is at a path: {@link #MISSING}, {@link #FILE} (anything but a folder) or {@link #FOLDER}. */
    public interface FileKinds {
        int MISSING = 0;
        int FILE = 1;
        int FOLDER = 2;

        int kind(Path path);

        /** The real file system, following symbolic links. */
        FileKinds REAL = new RealFiles();
    }

    /** Not a lambda: the agent's start-up avoids invokedynamic bootstraps (~1-2 ms each on a cold JVM). */
    private static final class RealFiles implements FileKinds {
        @Override
        public int kind(Path path) {
            return Files.isDirectory(path) ? FOLDER : Files.exists(path) ? FILE : MISSING;
        }
    }

    /** The context of the running JVM, whose environment is {@code env}. */
    public static PolicyContext ofThisJvm(Path appDir, Path relativeBase, Map<String, String> env) {
        return new PolicyContext(
                Path.of(System.getProperty("java.home")),
                Path.of(System.getProperty("java.io.tmpdir")),
                Path.of(System.getProperty("user.home")),
                Path.of(System.getProperty("user.dir")),
                appDir, relativeBase, env, FileKinds.REAL);
    }

    /** For tests: fixed values and environment. */
    public static PolicyContext of(Path javaHome, Path tmpDir, Path userHome, Path userDir, Path appDir,
                                   Path relativeBase, Map<String, String> env) {
        return new PolicyContext(javaHome, tmpDir, userHome, userDir, appDir, relativeBase, Map.copyOf(env),
                FileKinds.REAL);
    }

    public PolicyContext withRelativeBase(Path base) {
        return new PolicyContext(javaHome, tmpDir, userHome, userDir, appDir, base, env, files);
    }

    public PolicyContext withFiles(FileKinds kinds) {
        return new PolicyContext(javaHome, tmpDir, userHome, userDir, appDir, relativeBase, env, kinds);
    }
}
