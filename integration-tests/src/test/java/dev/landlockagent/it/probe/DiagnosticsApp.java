package dev.landlockagent.it.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * What the JVM's own diagnostics need a reason for: {@code gc N} runs N full collections,
 * {@code oom} fills the heap until OutOfMemoryError, {@code sleep MS} prints {@code READY} and
 * waits for a tool to attach. Each prints {@code PID n} first.
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
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
