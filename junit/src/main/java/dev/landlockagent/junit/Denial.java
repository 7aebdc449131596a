package dev.landlockagent.junit;

import java.util.Map;

/**
 * One operation the confined JVM was denied, as the agent explained it: typed, for assertions.
 * Fields an operation does not have are null (the port is -1).
 *
 * @param kind       the part of the policy it concerns: {@code filesystem}, {@code network},
 *                   {@code sockets}, {@code dns}, {@code capabilities}, {@code syscalls}, {@code exit},
 *                   or {@code elsewhere} when the policy allows it and the denial came from elsewhere
 * @param what       the operation in words, e.g. {@code read /etc/shadow}, {@code connect to 10.0.0.5:5432 (TCP)}
 * @param byPolicy   whether the policy is what denied it
 * @param policy     where the policy came from
 * @param where      where the rule to add goes, e.g. {@code "filesystem"."read"} (null when not by policy)
 * @param rule       the rule to add, ready to paste (null when not by policy)
 * @param operation  what was done: {@code read}, {@code socket}, {@code connect}, {@code bind}, {@code resolve}, ...
 * @param path       the file or socket path, as the application named it
 * @param port       the TCP or UDP port, or -1
 * @param address    the address connected to
 * @param domain     the socket's address family, by its policy name
 * @param type       the socket's type
 * @param protocol   the socket's protocol, or the transport of a port ({@code tcp}, {@code udp})
 * @param host       the host name that was to be resolved
 * @param capability the capability it needed, by its policy name
 * @param syscalls   the syscall rule it needed, e.g. {@code @setid-modes}
 */
public record Denial(String kind, String what, boolean byPolicy, String policy, String where, String rule,
                     String operation, String path, int port, String address, String domain, String type,
                     String protocol, String host, String capability, String syscalls) {

    /** One line of the agent's report ({@code -Dlandlock.denial.report=stderr}). */
    static Denial fromReport(String json) {
        Map<String, Object> m = FlatJson.parse(json);
        Object port = m.get("port");
        return new Denial(text(m, "kind"), text(m, "what"), Boolean.TRUE.equals(m.get("byPolicy")), text(m, "policy"),
                text(m, "where"), text(m, "rule"), text(m, "operation"), text(m, "path"),
                port instanceof Long n ? n.intValue() : -1, text(m, "address"), text(m, "domain"), text(m, "type"),
                text(m, "protocol"), text(m, "host"), text(m, "capability"), text(m, "syscalls"));
    }

    private static String text(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : v.toString();
    }

    @Override
    public String toString() {
        return kind + ": " + what + (byPolicy ? " (add to " + where + ": " + rule + ")" : " (not by the policy)");
    }
}
