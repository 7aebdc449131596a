package dev.landlockagent.bench.programs;

/** The startup baseline: prints one line and exits. */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        System.out.println("Hello");
    }
}
