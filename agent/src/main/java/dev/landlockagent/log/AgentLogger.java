package dev.landlockagent.log;

import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's logger: {@code [landlock-agent] LEVEL message {key=value, ...}} on stderr, or, for
 * WARN and ERROR once the application's own SLF4J is initialised, through it
 * ({@link ApplicationLogging}). The level comes from {@value #LEVEL_PROPERTY} (info by default).
 */
final class AgentLogger extends LegacyAbstractLogger implements LoggingEventAware {
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
        if (throwable != null) {
            text = text + " (" + throwable + ")";
        }
        emit(level, text, Map.of());
    }

    /** The fluent API ({@code atWarn().addKeyValue(...)}) arrives here with its key-values apart. */
    @Override
    public void log(LoggingEvent event) {
        if (event.getLevel().toInt() < threshold) {
            return;
        }
        String text = MessageFormatter.basicArrayFormat(event.getMessage(), event.getArgumentArray());
        Map<String, Object> kv = new LinkedHashMap<>();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair p : pairs) {
                kv.put(p.key, p.value);
            }
        }
        emit(event.getLevel(), text, kv);
    }

    private void emit(Level level, String text, Map<String, Object> keyValues) {
        if (level.toInt() >= Level.WARN.toInt()
                && ApplicationLogging.log(level.name().toLowerCase(Locale.ROOT), name, text, keyValues)) {
            return;
        }
        toStderr(level.name(), text, keyValues);
    }

    /** {@code [landlock-agent] LEVEL text {key=value, ...}} on stderr. */
    static void toStderr(String level, String text, Map<String, Object> keyValues) {
        PrintStream err = System.err;
        StringBuilder line = new StringBuilder("[landlock-agent] ").append(level).append(' ').append(text);
        if (!keyValues.isEmpty()) {
            line.append(' ').append(keyValues);
        }
        err.println(line);
    }
}
