package dev.landlockagent.policy;

/** A place in a policy document: its origin (file path or {@code jar!/resource}), line and column, 1-based. */
public record Location(String origin, int line, int column) {
    @Override
    public String toString() {
        return origin + ":" + line + ":" + column;
    }
}
