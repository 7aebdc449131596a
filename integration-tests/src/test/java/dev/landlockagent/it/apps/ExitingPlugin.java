package dev.landlockagent.it.apps;

/**
 * A plugin for the plugin-host sample that tries to end its host, in the way the system property
 * {@code exiting.plugin} names: {@code exit} (System.exit(3)), {@code halt} (Runtime.halt(4)),
 * {@code thread} (System.exit(5) from a thread of its own, then it returns) or {@code hidden}
 * (System.exit(6) from a lambda, a hidden class).
 */
public final class ExitingPlugin implements Runnable {
    @Override
    public void run() {
        switch (System.getProperty("exiting.plugin", "exit")) {
            case "halt" -> Runtime.getRuntime().halt(4);
            case "thread" -> {
                Thread t = new Thread(() -> System.exit(5), "plugin-thread");
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.out.println("[plugin] my thread could not end the host");
            }
            case "hidden" -> {
                Runnable r = () -> System.exit(6);
                r.run();
            }
            default -> System.exit(3);
        }
    }
}
