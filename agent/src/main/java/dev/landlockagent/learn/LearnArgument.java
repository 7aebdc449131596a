package dev.landlockagent.learn;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The agent argument that starts a learn run, {@code learn:FILE[,interval=DURATION]}, or a
 * suggest run, {@code suggest:FILE}. Only the agent argument selects them: the operator's command
 * line (or JAVA_TOOL_OPTIONS), never a system property the application could set nor a jar's
 * manifest.
 *
 * @param mode     LEARN or SUGGEST
 * @param policy   the policy file: written (learn), or enforced (suggest)
 * @param interval how often a learn run writes the policy while the JVM runs; zero: only at the end
 */
public record LearnArgument(Mode mode, Path policy, Duration interval) {
    public enum Mode { LEARN, SUGGEST }

    public static final String LEARN_PREFIX = "learn:";
    public static final String SUGGEST_PREFIX = "suggest:";
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    /** Whether a policy location asks for a learn or suggest run (an error anywhere but the agent argument). */
    public static boolean names(String location) {
        return location != null && (location.strip().startsWith(LEARN_PREFIX) || location.strip().startsWith(SUGGEST_PREFIX));
    }

    /** The run the argument asks for, or null for a plain policy location. */
    public static LearnArgument parse(String argument, Path workingDirectory) throws IllegalArgumentException {
        if (!names(argument)) {
            return null;
        }
        String a = argument.strip();
        Mode mode = a.startsWith(LEARN_PREFIX) ? Mode.LEARN : Mode.SUGGEST;
        String rest = a.substring(mode == Mode.LEARN ? LEARN_PREFIX.length() : SUGGEST_PREFIX.length());
        Duration interval = DEFAULT_INTERVAL;
        int comma = rest.lastIndexOf(",interval=");
        if (comma >= 0) {
            if (mode == Mode.SUGGEST) {
                throw new IllegalArgumentException("\"interval\" is for learn runs; a suggest run writes its suggestions when the JVM ends");
            }
            interval = duration(rest.substring(comma + ",interval=".length()));
            rest = rest.substring(0, comma);
        }
        if (rest.isBlank()) {
            throw new IllegalArgumentException("name the policy file: -javaagent:landlock-agent.jar="
                    + (mode == Mode.LEARN ? "learn:policy.json" : "suggest:policy.json"));
        }
        if (rest.startsWith("classpath:") || rest.startsWith("jar:")) {
            throw new IllegalArgumentException("a " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " run needs a policy file on disk, not " + rest);
        }
        if (rest.startsWith("file:")) {
            rest = rest.substring("file:".length());
        }
        return new LearnArgument(mode, workingDirectory.resolve(rest).toAbsolutePath().normalize(), interval);
    }

    /** {@code 30s}, {@code 5m}, {@code 1h}, {@code 0} (never), or seconds. */
    static Duration duration(String text) {
        String t = text.strip();
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            char unit = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
            String number = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1);
            long n = Long.parseLong(number);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> {
                    if (!Character.isDigit(unit)) {
                        throw new NumberFormatException();
                    }
                    yield Duration.ofSeconds(n);
                }
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("interval \"" + text + "\" is not a duration: use for example interval=30s, 5m, 1h or 0 (only at the end)");
        }
    }

    /** The report written beside a learned policy: {@code policy.json} gives {@code policy.report.md}. */
    public Path report() {
        return sibling(".report.md");
    }

    /** The policy fragment a suggest run writes: {@code policy.json} gives {@code policy.suggested.json}. */
    public Path suggestions() {
        return sibling(".suggested.json");
    }

    /** Who each suggested rule was for: {@code policy.json} gives {@code policy.suggested.md}. */
    public Path suggestionsReport() {
        return sibling(".suggested.md");
    }

    private Path sibling(String suffix) {
        String name = policy.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return policy.resolveSibling(base + suffix);
    }
}
