package dev.landlockagent.log;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * The application's own SLF4J (1.7 or 2.x, unrelocated, on its class path), when it has one and
 * has already initialised it: the agent's reports then go where the application's logs go. The
 * agent never initialises the application's logging itself: at start-up that would change the
 * application's initialisation order, and with no binding SLF4J prints warnings of its own.
 */
final class ApplicationLogging {
    /**
     * The application's SLF4J entry point. Built at run time: the agent jar's build relocates
     * string constants that name org.slf4j classes to the agent's own copy.
     */
    private static final String LOGGER_FACTORY = String.join(".", "org", "slf4j", "LoggerFactory");
    /** LoggerFactory.INITIALIZATION_STATE value for a successful initialisation (1.7 and 2.x). */
    private static final int SUCCESSFUL_INITIALIZATION = 3;

    private ApplicationLogging() {
    }

    /** Logs through the application's SLF4J; false when it cannot (then the caller writes to stderr). */
    static boolean log(String level, String loggerName, String message, Map<String, Object> keyValues) {
        Object logger = logger(loggerName);
        if (logger == null) {
            return false;
        }
        try {
            Method at = find(logger.getClass(), "at" + Character.toUpperCase(level.charAt(0)) + level.substring(1));
            if (at != null && !keyValues.isEmpty()) {
                Object builder = at.invoke(logger); // SLF4J 2: the fluent API carries key-values
                Method add = builder.getClass().getMethod("addKeyValue", String.class, Object.class);
                add.setAccessible(true);
                for (Map.Entry<String, Object> kv : keyValues.entrySet()) {
                    builder = add.invoke(builder, kv.getKey(), kv.getValue());
                }
                Method log = builder.getClass().getMethod("log", String.class);
                log.setAccessible(true);
                log.invoke(builder, message);
                return true;
            }
            Method plain = logger.getClass().getMethod(level, String.class);
            plain.setAccessible(true);
            plain.invoke(logger, keyValues.isEmpty() ? message : message + " " + keyValues);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static Object logger(String name) {
        for (ClassLoader loader : new ClassLoader[] {Thread.currentThread().getContextClassLoader(),
                ClassLoader.getSystemClassLoader()}) {
            if (loader == null) {
                continue;
            }
            try {
                Class<?> factory = Class.forName(LOGGER_FACTORY, false, loader);
                Field state = factory.getDeclaredField("INITIALIZATION_STATE");
                state.setAccessible(true);
                if (state.getInt(null) != SUCCESSFUL_INITIALIZATION) {
                    return null;
                }
                return factory.getMethod("getLogger", String.class).invoke(null, name);
            } catch (ClassNotFoundException notThere) {
                // try the next loader
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
        }
        return null;
    }

    private static Method find(Class<?> type, String name) {
        try {
            Method m = type.getMethod(name);
            m.setAccessible(true);
            return m;
        } catch (NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }
}
