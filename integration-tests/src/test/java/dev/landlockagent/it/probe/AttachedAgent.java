package dev.landlockagent.it.probe;

import java.lang.instrument.Instrumentation;

/** An agent loaded into a running confined JVM through the Attach API: it tries to read a file. */
public final class AttachedAgent {
    private AttachedAgent() {
    }

    public static void agentmain(String path, Instrumentation inst) {
        System.out.println("RESULT read-attached " + path + " on " + Thread.currentThread().getName() + " "
                + Probe.read(path));
        System.out.flush();
    }
}
