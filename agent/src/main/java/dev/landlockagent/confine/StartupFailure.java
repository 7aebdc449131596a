package dev.landlockagent.confine;

/** The agent cannot confine this JVM as its policy says: the message is what the user reads. */
public final class StartupFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public StartupFailure(String message) {
        super(message);
    }

    public StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
