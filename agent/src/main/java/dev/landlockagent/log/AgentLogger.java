package dev.landlockagent.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.io.PrintStream;
import java.util.Locale;

/** Writes one line per event to stderr; see {@link AgentLoggerProvider}. */
final class AgentLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    static final String LEVEL_PROPERTY = "landlock.log";

    private final int threshold;

    AgentLogger(String name) {
        this.name = name;
        this.threshold = threshold(System.getProperty(LEVEL_PROPERTY, "info"));
    }

    static int threshold(String level) {
        return switch (level.strip().toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE.toInt();
            case "debug" -> Level.DEBUG.toInt();
            case "warn" -> Level.WARN.toInt();
            case "error" -> Level.ERROR.toInt();
            case "off", "none" -> Integer.MAX_VALUE;
            default -> Level.INFO.toInt();
        };
    }

    @Override
    public boolean isTraceEnabled() {
        return threshold <= Level.TRACE.toInt();
    }

    @Override
    public boolean isDebugEnabled() {
        return threshold <= Level.DEBUG.toInt();
    }

    @Override
    public boolean isInfoEnabled() {
        return threshold <= Level.INFO.toInt();
    }

    @Override
    public boolean isWarnEnabled() {
        return threshold <= Level.WARN.toInt();
    }

    @Override
    public boolean isErrorEnabled() {
        return threshold <= Level.ERROR.toInt();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
                                               Throwable throwable) {
        String text = MessageFormatter.basicArrayFormat(messagePattern, arguments);
        PrintStream err = System.err;
        StringBuilder line = new StringBuilder("[landlock-agent] ").append(level).append(' ').append(text);
        if (throwable != null) {
            line.append(" (").append(throwable).append(')');
        }
        err.println(line);
    }
}
