package dev.landlockagent.log;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application's own SLF4J (1.7 or 2.x, unrelocated, on its class path), when it has one and
 * has already initialised it: the agent's reports then go where the application's logs go. The
 * agent never initialises the application's logging itself: at start-up that would change the
 * application's initialisation order, and with no binding SLF4J prints warnings of its own.
 *
 * <p>Nor does it call into the application's logging from inside it: a denial met while the
 * logging starts (Log4j 2 resolves the host's own name as it does) would start it again, and Log4j
 * answers that with an ERROR and a stack trace. Such a report waits in a small queue and is handed
 * over from a thread of the agent's own a moment later, when the logging is up (or written to
 * stderr, if it never is); later reports hand the queue over first, so the order is kept.
 */
final class ApplicationLogging {
    /**
     * Packages of the logging libraries an application's report would go through (SLF4J's built at
     * run time, like {@link #LOGGER_FACTORY}: the build relocates "org.slf4j." constants).
     */
    private static final String[] LOGGING_PACKAGES = {String.join(".", "org", "slf4j", ""), "org.apache.logging.",
            "org.apache.log4j.", "ch.qos.logback.", "org.jboss.logmanager.", "java.util.logging."};
    private static final int MAX_WAITING = 64;
    private static final long HANDOVER_DELAY_MILLIS = 200;

    /** A report waiting for the application's logging. */
    private record Waiting(String level, String loggerName, String message, Map<String, Object> keyValues) {
    }

    private static final ConcurrentLinkedQueue<Waiting> WAITING = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger WAITING_COUNT = new AtomicInteger();
    private static final AtomicBoolean HANDOVER_STARTED = new AtomicBoolean();
    /**
     * The application's SLF4J entry point. Built at run time: the agent jar's build relocates
     * string constants that name org.slf4j classes to the agent's own copy.
     */
    private static final String LOGGER_FACTORY = String.join(".", "org", "slf4j", "LoggerFactory");
    /** LoggerFactory.INITIALIZATION_STATE value for a successful initialisation (1.7 and 2.x). */
    private static final int SUCCESSFUL_INITIALIZATION = 3;

    private ApplicationLogging() {
    }

    /**
     * Logs through the application's SLF4J, or queues the report while that logging is starting;
     * false when it cannot (then the caller writes to stderr).
     */
    static boolean log(String level, String loggerName, String message, Map<String, Object> keyValues) {
        Class<?> factory = initialisedFactory();
        if (factory == null) {
            return false;
        }
        if (insideApplicationLogging()) {
            if (WAITING_COUNT.incrementAndGet() > MAX_WAITING) {
                WAITING_COUNT.decrementAndGet();
                return false; // stderr, rather than grow without bound
            }
            WAITING.add(new Waiting(level, loggerName, message, Map.copyOf(keyValues)));
            startHandover();
            return true;
        }
        handOverWaiting(true);
        return emit(factory, level, loggerName, message, keyValues);
    }

    /** Whether this thread is inside a logging library: it is starting, or it is logging. */
    private static boolean insideApplicationLogging() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> {
            String c = f.getClassName();
            for (String p : LOGGING_PACKAGES) {
                if (c.startsWith(p)) {
                    return true;
                }
            }
            return false;
        }));
    }

    /** Starts, once, the thread that hands waiting reports over, and the exit hook that writes what is left. */
    private static void startHandover() {
        if (!HANDOVER_STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(HANDOVER_DELAY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handOverWaiting(true);
        }, "landlock-agent-log-handover");
        t.setDaemon(true);
        t.start();
        try {
            // At exit the application's logging may be stopping (Log4j stops in a hook of its own): stderr.
            Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
                @Override
                public void run() {
                    handOverWaiting(false);
                }
            }, "landlock-agent-log-exit"));
        } catch (IllegalStateException shuttingDown) {
            // the handover thread is all there is
        }
    }

    /**
     * Hands the waiting reports to the application's logging ({@code toApplication}), or to stderr
     * where it cannot take them.
     */
    static void handOverWaiting(boolean toApplication) {
        Waiting w;
        while ((w = WAITING.poll()) != null) {
            WAITING_COUNT.decrementAndGet();
            Class<?> factory = toApplication ? initialisedFactory() : null;
            if (factory == null || !emit(factory, w.level(), w.loggerName(), w.message(), w.keyValues())) {
                AgentLogger.toStderr(w.level().toUpperCase(Locale.ROOT), w.message(), w.keyValues());
            }
        }
    }

    private static boolean emit(Class<?> factory, String level, String loggerName, String message, Map<String, Object> keyValues) {
        Object logger;
        try {
            logger = log4jLogger(factory, loggerName);
            if (logger != null) {
                logger.getClass().getMethod(level, String.class).invoke(logger,
                        keyValues.isEmpty() ? message : message + " " + keyValues);
                return true;
            }
            logger = factory.getMethod("getLogger", String.class).invoke(null, loggerName);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
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

    /**
     * With Log4j 2 behind SLF4J, its logger in the application's own context, or null for other
     * bindings. Log4j picks a context by the class that calls it, and a reflective call from the
     * agent would start a second one (which resolves the host name again and reads the
     * configuration again); asking LogManager for the context of the application's class loader
     * finds the running one.
     */
    private static Object log4jLogger(Class<?> factory, String loggerName) throws ReflectiveOperationException {
        Object binding = factory.getMethod("getILoggerFactory").invoke(null);
        if (!binding.getClass().getName().equals("org.apache.logging.slf4j.Log4jLoggerFactory")) {
            return null;
        }
        ClassLoader loader = factory.getClassLoader();
        Class<?> logManager = Class.forName("org.apache.logging.log4j.LogManager", false, loader);
        Object context = logManager.getMethod("getContext", ClassLoader.class, boolean.class).invoke(null, loader, false);
        Method getLogger = context.getClass().getMethod("getLogger", String.class);
        getLogger.setAccessible(true);
        Object logger = getLogger.invoke(context, loggerName);
        return logger;
    }

    /** The application's SLF4J LoggerFactory, when it has one and it has initialised; else null. */
    private static Class<?> initialisedFactory() {
        for (ClassLoader loader : new ClassLoader[] {Thread.currentThread().getContextClassLoader(),
                ClassLoader.getSystemClassLoader()}) {
            if (loader == null) {
                continue;
            }
            try {
                Class<?> factory = Class.forName(LOGGER_FACTORY, false, loader);
                Field state = factory.getDeclaredField("INITIALIZATION_STATE");
                state.setAccessible(true);
                return state.getInt(null) == SUCCESSFUL_INITIALIZATION ? factory : null;
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
