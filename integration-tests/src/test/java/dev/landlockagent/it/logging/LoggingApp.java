package dev.landlockagent.it.logging;

import java.net.DatagramSocket;

/**
 * An application that logs through SLF4J when it has it (initialising it first, as applications
 * do), then is denied a UDP socket. Run with no SLF4J, with SLF4J 1.7 + logback 1.2, or with
 * SLF4J 2 + logback 1.5 on its class path.
 */
public final class LoggingApp {
    private LoggingApp() {
    }

    public static void main(String[] args) throws Exception {
        boolean slf4j;
        try {
            Class.forName("org.slf4j.LoggerFactory");
            slf4j = true;
        } catch (ClassNotFoundException e) {
            slf4j = false;
        }
        if (slf4j) {
            org.slf4j.LoggerFactory.getLogger(LoggingApp.class).info("application started");
        }
        try (DatagramSocket s = new DatagramSocket()) {
            System.out.println("RESULT udp OK");
        } catch (java.io.IOException e) {
            System.out.println("RESULT udp " + e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
