package dev.landlockagent.learn;

import java.nio.file.Path;

/**
 * One thing a learn run saw the application need, in the terms a policy grants it: Landlock
 * rights on a path, a socket kind, a port, a UNIX socket, name resolution, a signal. Values: the
 * same need seen twice is one need.
 */
sealed interface Need {

    /** Landlock {@code rights} on {@code path} exactly: a file's own rights, or a folder's (make_reg...) for its entries. */
    record OnPath(Path path, long rights) implements Need {
    }

    /** Something made at {@code path} during the run: it did not exist before, so no rule can name it. */
    record Made(Path path) implements Need {
    }

    /** {@code socket(2)} or, with {@code pair}, {@code socketpair(2)}: type without flags, protocol as called. */
    record Socket(int domain, int type, int protocol, boolean pair) implements Need {
    }

    /** A TCP or UDP port bound or connected to (sent to, for UDP). */
    record Port(String transport, String direction, int port) implements Need {
    }

    /** A UNIX socket bound, listened on or connected to; {@code name} is a path, or an abstract name. */
    record Unix(String direction, String name, boolean abstractName) implements Need {
    }

    /** A DNS server asked (port 53). */
    record Resolver() implements Need {
    }

    /** A signal sent to a process the run did not start. */
    record Signal(long pid, String target) implements Need {
    }
}
