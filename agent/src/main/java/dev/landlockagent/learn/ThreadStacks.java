package dev.landlockagent.learn;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The Java stack of a JVM thread known by its kernel thread id, from HotSpot's own thread dump
 * (the {@code Thread.print} diagnostic command, whose header names each thread's id as
 * {@code [tid]} and {@code nid=}), and the first frame of it that is the application's: the code
 * that needed what the thread waits for.
 */
final class ThreadStacks {
    /** What a thread's stack says: its Java name, the first application frame, and whether a JNI method is on top. */
    record Frame(String thread, String code, boolean nativeMethodOnTop) {
    }

    private ThreadStacks() {
    }

    static String dump() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        return (String) server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "threadPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
    }

    /** The frame of thread {@code tid} in {@code dump}, or null when it is not a Java thread. */
    static Frame of(String dump, long tid) {
        for (String block : dump.split("\n\n")) {
            String b = block.strip();
            if (b.startsWith("\"") && (b.contains(" [" + tid + "] ") || b.contains(" nid=" + tid + " "))) {
                return frame(b);
            }
        }
        return null;
    }

    /** The thread that waits in ProcessBuilder.start for a child to exec, or null. */
    static Frame spawning(String dump) {
        for (String block : dump.split("\n\n")) {
            String b = block.strip();
            if (b.startsWith("\"") && b.contains("java.lang.ProcessImpl.forkAndExec")) {
                return frame(b);
            }
        }
        return null;
    }

    private static Frame frame(String block) {
        String[] lines = block.split("\n");
        String header = lines[0];
        String thread = header.substring(1, Math.max(1, header.indexOf('"', 1)));
        String top = null;
        boolean nativeTop = false;
        for (String line : lines) {
            String l = line.strip();
            if (!l.startsWith("at ")) {
                continue;
            }
            String at = l.substring(3);
            if (top == null) {
                top = at;
            }
            if (isApplication(at)) {
                nativeTop = at.endsWith("(Native Method)") && at.equals(top);
                return new Frame(thread, simplify(at), nativeTop);
            }
        }
        return new Frame(thread, top == null ? null : "the JDK: " + simplify(top), false);
    }

    /** Not the JDK's (a module java.* or jdk.*, or a class of its packages), nor the agent's. */
    static boolean isApplication(String at) {
        int paren = at.indexOf('(');
        String method = paren < 0 ? at : at.substring(0, paren);
        String where = paren < 0 ? "" : at.substring(paren + 1);
        // The agent's core is loaded by its own class loader, named in the frame: "landlock-agent//File.java:1".
        if (where.startsWith("java.") || where.startsWith("jdk.") || where.startsWith("landlock-agent//")) {
            return false;
        }
        return !(method.startsWith("java.") || method.startsWith("javax.") || method.startsWith("jdk.")
                || method.startsWith("sun.") || method.startsWith("com.sun.") || method.startsWith("dev.landlockagent.launch."));
    }

    /** {@code com.example.App.main(App.java:12)} without a class loader's or module's name before the file. */
    private static String simplify(String at) {
        int paren = at.indexOf('(');
        if (paren < 0) {
            return at;
        }
        String where = at.substring(paren + 1, at.length() - (at.endsWith(")") ? 1 : 0));
        int slash = where.lastIndexOf('/');
        return at.substring(0, paren) + " (" + (slash >= 0 ? where.substring(slash + 1) : where) + ")";
    }
}
