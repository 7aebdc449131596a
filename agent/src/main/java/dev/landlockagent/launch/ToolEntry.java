package dev.landlockagent.launch;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The agent jar's command-line tools, {@code java -cp landlock-agent.jar dev.landlockagent.launch.ToolEntry TOOL}:
 * today the supervisor of a learn run, which the learning JVM starts itself. Like
 * {@link AgentEntry}, it only loads the core ({@link CoreClassLoader}) and hands over.
 */
public final class ToolEntry {
    private static final String SUPERVISOR = "dev.landlockagent.learn.Supervisor";

    private ToolEntry() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !args[0].equals("learn-supervisor")) {
            System.err.println("landlock-agent: this jar is a Java agent: run your application with"
                    + " -javaagent:landlock-agent.jar=policy.json (or =learn:policy.json to write one)");
            System.exit(64);
            return;
        }
        Path jar;
        try {
            jar = Path.of(ToolEntry.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the agent jar", e);
        }
        Object entry = new CoreClassLoader(jar).initialise(SUPERVISOR);
        if (!(entry instanceof Consumer)) {
            throw new IllegalStateException(SUPERVISOR + " did not hand over its entry point");
        }
        @SuppressWarnings("unchecked")
        Consumer<String[]> tool = (Consumer<String[]>) entry;
        tool.accept(args);
    }
}
