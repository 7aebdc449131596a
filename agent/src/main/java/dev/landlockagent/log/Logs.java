package dev.landlockagent.log;

import org.slf4j.Logger;

/**
 * The agent's logger, {@code landlock-agent}, made directly rather than through the relocated
 * SLF4J's {@code LoggerFactory}, whose first call looks its providers up with a ServiceLoader
 * (~20 ms on a cold JVM, paid by both JVMs of the re-exec path; measured).
 */
public final class Logs {
    private static final Logger AGENT = new AgentLogger("landlock-agent");

    private Logs() {
    }

    public static Logger agent() {
        return AGENT;
    }
}
