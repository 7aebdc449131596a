package dev.landlockagent.explain;

import java.util.function.BiConsumer;

/**
 * One denied operation, explained: what it was in kernel terms, whether this policy is what
 * denies it, what the policy does allow for that kind of operation, and the rule to add.
 *
 * @param what       e.g. {@code socket(AF_INET, SOCK_DGRAM, 0)}, {@code connect to 10.0.0.5:5432 (TCP)}
 * @param byPolicy   false when the policy allows the operation: the denial came from elsewhere
 * @param allowed    one line: what the policy allows for this kind
 * @param rule       the JSON to add, ready to paste
 * @param where      where in the policy it goes, e.g. {@code "sockets"}
 * @param elsewhere  when not by the policy: the likely other causes
 * @param facts      the operation's parts, for the log line's key-values and the JFR event
 * @param group      what makes another denial a repeat of this one, for the log: the same fix (the
 *                   same rule; for files, the same rights missing in the same folder)
 */
public record Denial(String what, boolean byPolicy, String allowed, String rule, String where, String elsewhere,
                     Facts facts, String group) {

    /** A denial the policy allows: {@code elsewhere} names the likely causes; repeats are the same operation. */
    static Denial elsewhere(String what, String elsewhere, Facts facts) {
        return new Denial(what, false, "", "", "", elsewhere, facts, "elsewhere: " + what);
    }

    /** As {@link #elsewhere(String, String, Facts)}, with the group named. */
    static Denial elsewhere(String what, String elsewhere, Facts facts, String group) {
        return new Denial(what, false, "", "", "", elsewhere, facts, "elsewhere: " + group);
    }

    /** A denial this policy makes: add {@code rule} to {@code where}; repeats are what the same rule fixes. */
    static Denial byPolicy(String what, String allowed, String rule, String where, Facts facts) {
        return new Denial(what, true, allowed, rule, where, "", facts, where + ": " + rule);
    }

    /** As {@link #byPolicy(String, String, String, String, Facts)}, with the group named. */
    static Denial byPolicy(String what, String allowed, String rule, String where, Facts facts, String group) {
        return new Denial(what, true, allowed, rule, where, "", facts, group);
    }

    /**
     * What part of the policy it concerns, for the counts (the MBean): the key the rule goes under
     * ({@code filesystem}, {@code network}, {@code sockets}, {@code dns}, {@code capabilities},
     * {@code syscalls}, {@code exit}), or {@code elsewhere} when the policy allows it.
     */
    public String kind() {
        if (!byPolicy) {
            return "elsewhere";
        }
        String s = where.startsWith("\"") ? where : rule; // "the policy": the rule names its key
        int a = s.indexOf('"');
        int b = a < 0 ? -1 : s.indexOf('"', a + 1);
        return b < 0 ? "other" : s.substring(a + 1, b);
    }

    /** The message of the replacement exception. */
    public String message(String policyOrigin) {
        if (!byPolicy) {
            return what + ": the landlock-agent policy " + policyOrigin + " allows this, so the denial comes from"
                    + " elsewhere (" + elsewhere + ")";
        }
        return what + " is not allowed by the landlock-agent policy " + policyOrigin + ". It allows " + allowed
                + ". To allow this, add to " + where + ": " + rule;
    }


    /**
     * The parts of a denied operation; null (or -1 for the port) where the operation has none.
     *
     * @param operation  what was done, e.g. {@code socket}, {@code connect}, {@code create files in /srv}
     * @param domain     the socket's address family, by its policy name
     * @param type       the socket's type
     * @param protocol   the socket's protocol, or the transport of a port ({@code tcp}, {@code udp})
     * @param port       the TCP or UDP port
     * @param address    the address connected to
     * @param path       the file or socket path, as the application named it
     * @param host       the host name to resolve
     * @param rights     the rights the operation needs
     * @param missing    the rights the policy lacks there
     * @param capability the capability it needs, by its policy name
     * @param syscalls   the syscall rule it needs, e.g. {@code @setid-modes}
     */
    public record Facts(String operation, String domain, String type, String protocol, int port, String address,
                        String path, String host, String rights, String missing, String capability, String syscalls) {

        static Facts socket(String domain, String type, String protocol) {
            return new Facts("socket", domain, type, protocol, -1, null, null, null, null, null, null, null);
        }

        static Facts port(String operation, String transport, int port, String address) {
            return new Facts(operation, null, null, transport, port, address, null, null, null, null, null, null);
        }

        static Facts path(String operation, String path) {
            return new Facts(operation, null, null, null, -1, null, path, null, null, null, null, null);
        }

        static Facts host(String host) {
            return new Facts("resolve", null, null, null, -1, null, null, host, null, null, null, null);
        }

        Facts withRights(String needed, String lacking) {
            return new Facts(operation, domain, type, protocol, port, address, path, host, needed, lacking, capability,
                    syscalls);
        }

        Facts withCapability(String name) {
            return new Facts(operation, domain, type, protocol, port, address, path, host, rights, missing, name, syscalls);
        }

        Facts withSyscalls(String rule) {
            return new Facts(operation, domain, type, protocol, port, address, path, host, rights, missing, capability,
                    rule);
        }

        /** Each part the operation has, as a log key-value. */
        void forEach(BiConsumer<String, Object> keyValue) {
            keyValue.accept("operation", operation);
            put(keyValue, "domain", domain);
            put(keyValue, "type", type);
            put(keyValue, "protocol", protocol);
            if (port >= 0) {
                keyValue.accept("port", port);
            }
            put(keyValue, "address", address);
            put(keyValue, "path", path);
            put(keyValue, "host", host);
            put(keyValue, "rights", rights);
            put(keyValue, "missing", missing);
            put(keyValue, "capability", capability);
            put(keyValue, "rule", syscalls);
        }

        private static void put(BiConsumer<String, Object> keyValue, String key, String value) {
            if (value != null) {
                keyValue.accept(key, value);
            }
        }
    }
}
