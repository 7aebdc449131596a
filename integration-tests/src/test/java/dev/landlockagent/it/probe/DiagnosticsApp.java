package dev.landlockagent.it.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * What the JVM's own diagnostics need a reason for: {@code gc N} runs N full collections,
 * {@code oom} fills the heap until OutOfMemoryError, {@code sleep MS} prints {@code READY} and
 * waits for a tool to attach, {@code stream FILE} streams the agent's JFR event for a denied read of
 * FILE from a {@code RecordingStream}. Each prints {@code PID n} first.
 */
public final class DiagnosticsApp {
    private DiagnosticsApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("PID " + ProcessHandle.current().pid());
        switch (args[0]) {
            case "gc" -> {
                for (int i = 0; i < Integer.parseInt(args[1]); i++) {
                    System.gc();
                }
                System.out.println("GC done");
            }
            case "oom" -> {
                List<long[]> hold = new ArrayList<>();
                while (true) {
                    hold.add(new long[1 << 18]);
                }
            }
            case "sleep" -> {
                System.out.println("READY");
                System.out.flush();
                Thread.sleep(Long.parseLong(args[1]));
            }
            case "stream" -> {
                // JFR started by the application: its repository, and the agent's own event, streamed.
                try (jdk.jfr.consumer.RecordingStream rs = new jdk.jfr.consumer.RecordingStream()) {
                    rs.enable("landlock.Denial");
                    java.util.concurrent.CompletableFuture<String> rule = new java.util.concurrent.CompletableFuture<>();
                    rs.onEvent("landlock.Denial", e -> rule.complete(e.getString("rule")));
                    rs.startAsync();
                    try {
                        java.nio.file.Files.readString(java.nio.file.Path.of(args[1]));
                    } catch (java.io.IOException expected) {
                        // the denial the stream reports
                    }
                    System.out.println("STREAMED " + rule.get(30, java.util.concurrent.TimeUnit.SECONDS));
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
