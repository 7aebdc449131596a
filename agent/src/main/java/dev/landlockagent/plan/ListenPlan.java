package dev.landlockagent.plan;

/**
 * Whether anything outside can reach the JVM through a socket it binds: bind(2), listen(2), and
 * UNIX sockets in particular (abstract names, and socket files where make_sock is granted).
 *
 * <p>Landlock's TCP and UDP port rules check explicit binds of those two protocols only; UNIX
 * sockets have no bind rule at all except make_sock for socket files, and its abstract-socket
 * scope stops connects from the domain, not connects into it (an unconfined process can connect
 * to an abstract socket a confined one listens on and pass it descriptors). So when the policy
 * gives the JVM no reason to bind or listen, the seccomp filter refuses bind(2) and listen(2) with
 * EACCES. Each {@code *Origin} says what in the policy allows it; null when denied.
 */
public record ListenPlan(String unixOrigin, String bindOrigin, String listenOrigin) {
    public static final ListenPlan UNRESTRICTED =
            new ListenPlan("\"network\": \"unrestricted\"", "\"network\": \"unrestricted\"", "\"network\": \"unrestricted\"");

    /** Whether UNIX sockets may be bound (and socket files made). */
    public boolean unix() {
        return unixOrigin != null;
    }

    /** Whether bind(2) is left to the kernel's other checks. */
    public boolean bind() {
        return bindOrigin != null;
    }

    /** Whether listen(2) is left to the kernel's other checks. */
    public boolean listen() {
        return listenOrigin != null;
    }

    /** Whether the seccomp filter refuses bind(2) or listen(2). */
    public boolean restricts() {
        return !bind() || !listen();
    }

    /** For the debug log: one line each for UNIX listening, bind(2) and listen(2). */
    public java.util.List<String> describe() {
        return java.util.List.of(line("UNIX sockets listen", unixOrigin), line("bind(2)", bindOrigin),
                line("listen(2)", listenOrigin));
    }

    private static String line(String what, String origin) {
        return what + ": " + (origin == null ? "refused (nothing in the policy needs it)" : "allowed by " + origin);
    }
}
