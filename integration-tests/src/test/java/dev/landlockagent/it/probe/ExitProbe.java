package dev.landlockagent.it.probe;

/**
 * For the {@code "exit"} rule on every path: code that is not the main class tries System.exit(3)
 * (printing {@code RESULT exit-by-other refused: MESSAGE} when refused), then the main class
 * ends the JVM with status 7.
 */
public final class ExitProbe {
    private ExitProbe() {
    }

    public static void main(String[] args) {
        try {
            OtherCode.exit(3);
            System.out.println("RESULT exit-by-other returned");
        } catch (SecurityException e) {
            System.out.println("RESULT exit-by-other refused: " + e.getMessage());
        }
        System.out.flush();
        System.exit(7);
    }
}

/** Not the main class, nor nested in it. */
final class OtherCode {
    private OtherCode() {
    }

    static void exit(int status) {
        System.exit(status);
    }
}
