package dev.landlockagent.confine;

/** How every thread of the JVM ends up inside the Landlock domain. */
public enum Mechanism {
    /** landlock_restrict_self with TSYNC (ABI 8): every thread at once, no restart. */
    TSYNC("TSYNC"),
    /** Restrict the main thread, then execve the same JVM, which is born inside the domain. */
    REEXEC("re-exec"),
    /** best-effort only: the main thread and threads it starts; earlier threads stay outside. */
    MAIN_THREAD_ONLY("main thread only");

    private final String label;

    Mechanism(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
