package dev.landlockagent.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Maven build run from a test, as a user would run it: this repository's wrapper, the JDK of the
 * tests, the local repository of the outer build (where {@code ./mvnw install} put this version).
 */
final class NestedMaven {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    record Build(int exit, String output) {
    }

    private NestedMaven() {
    }

    /** The local repository the outer build uses. */
    static Path repository() {
        return Path.of(System.getProperty("landlock.maven.repo"));
    }

    static String version() {
        return System.getProperty("landlock.version");
    }

    static Build run(Path project, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-B", "-ntp",
                "-Dmaven.repo.local=" + repository(), "-Dlandlock.version=" + version()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("MAVEN_OPTS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Path log = Files.createTempFile("nested-maven", ".log");
        try {
            pb.redirectOutput(log.toFile());
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("mvn " + String.join(" ", args) + " in " + project + " did not end in 10 minutes:\n"
                        + Files.readString(log));
            }
            return new Build(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
