package dev.landlockagent.policy;

import java.util.List;

/** A policy that cannot be used, with every problem found in it. */
public final class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final int MAX_LISTED = 20;

    private final transient List<PolicyProblem> problems;

    public PolicyException(String headline, List<PolicyProblem> problems) {
        super(format(headline, problems));
        this.problems = List.copyOf(problems);
    }

    public PolicyException(String headline, PolicyProblem problem) {
        this(headline, List.of(problem));
    }

    public List<PolicyProblem> problems() {
        return problems;
    }

    private static String format(String headline, List<PolicyProblem> problems) {
        StringBuilder b = new StringBuilder(headline);
        int shown = 0;
        for (PolicyProblem p : problems) {
            if (shown++ == MAX_LISTED) {
                b.append("\n  ... and ").append(problems.size() - MAX_LISTED).append(" more");
                break;
            }
            b.append("\n  ").append(p);
        }
        return b.toString();
    }
}
