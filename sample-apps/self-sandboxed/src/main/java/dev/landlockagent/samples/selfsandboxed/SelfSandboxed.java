package dev.landlockagent.samples.selfsandboxed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An executable jar that carries landlock-agent (Launcher-Agent-Class) and its own policy
 * (Landlock-Policy): plain {@code java -jar self-sandboxed.jar} runs confined.
 */
public final class SelfSandboxed {
    private SelfSandboxed() {
    }

    public static void main(String[] args) {
        String target = args.length > 0 ? args[0] : System.getProperty("user.home") + "/.bash_history";
        try {
            System.out.println("read " + target + ": " + Files.readAllBytes(Path.of(target)).length + " bytes");
        } catch (IOException e) {
            System.out.println("cannot read " + target + ": " + e.getMessage());
        }
    }
}
