package dev.landlockagent.confine;

import java.io.PrintStream;

/**
 * Ends the JVM before the application runs: one message on stderr and exit status 78
 * (EX_CONFIG). {@code Runtime.halt} so that no shutdown hook runs and no "-javaagent failed"
 * stack trace follows.
 */
public final class FailClosed {
    public static final int EXIT_STATUS = 78;

    private FailClosed() {
    }

    public static void exit(String message) {
        PrintStream err = System.err;
        err.println("landlock-agent: refusing to start: " + message);
        err.flush();
        Runtime.getRuntime().halt(EXIT_STATUS);
    }
}
