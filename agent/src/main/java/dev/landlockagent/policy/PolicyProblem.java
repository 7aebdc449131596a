package dev.landlockagent.policy;

/**
 * One thing wrong with a policy: where ({@code file:line:column} and the key, such as
 * {@code filesystem[1].allow[0]}), what, and the edit that fixes it.
 */
public record PolicyProblem(Location at, String key, String problem, String fix) {
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(at);
        b.append(": ");
        if (key != null && !key.isEmpty()) {
            b.append(key).append(": ");
        }
        b.append(problem);
        if (fix != null && !fix.isEmpty()) {
            b.append(". Fix: ").append(fix);
        }
        return b.toString();
    }
}
