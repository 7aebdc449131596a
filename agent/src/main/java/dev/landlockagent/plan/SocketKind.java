package dev.landlockagent.plan;

import dev.landlockagent.linux.SocketNames;

/**
 * A (domain, type, protocol) triple that socket(2) may create; {@code protocol} null means any.
 * Matching follows the upstream Landlock design: SOCK_NONBLOCK and SOCK_CLOEXEC are ignored, and
 * protocol 0 is the family's default (TCP for inet stream, UDP for inet dgram).
 */
public record SocketKind(int domain, int type, Integer protocol, String origin) {
    /** socket(2)'s type argument carries flags above these bits. */
    public static final int SOCK_TYPE_MASK = 0xf;

    public boolean matches(int domain, int type, int protocol) {
        if (domain != this.domain || (type & SOCK_TYPE_MASK) != this.type) {
            return false;
        }
        if (this.protocol == null) {
            return true;
        }
        return canonical(domain, this.type, this.protocol) == canonical(domain, this.type, protocol);
    }

    public static int canonical(int domain, int type, int protocol) {
        return protocol == 0 ? SocketNames.defaultProtocol(domain, type) : protocol;
    }

    /** The protocols socket(2) may be called with to match this kind, or null for any. */
    public int[] acceptedProtocols() {
        if (protocol == null) {
            return null;
        }
        int canonical = canonical(domain, type, protocol);
        int dflt = SocketNames.defaultProtocol(domain, type);
        if (dflt != 0 && canonical == dflt) {
            return new int[] {0, canonical};
        }
        return new int[] {canonical};
    }

    /** As JSON for a policy, e.g. {@code {"domain": "inet6", "type": "stream", "protocol": "tcp"}}. */
    public String toJson() {
        StringBuilder b = new StringBuilder("{\"domain\": \"").append(SocketNames.domainName(domain))
                .append("\", \"type\": \"").append(SocketNames.typeName(type)).append('"');
        if (protocol != null) {
            String name = SocketNames.protocolName(domain, canonical(domain, type, protocol));
            if (Character.isDigit(name.charAt(0))) {
                b.append(", \"protocol\": ").append(name);
            } else {
                b.append(", \"protocol\": \"").append(name).append('"');
            }
        }
        return b.append('}').toString();
    }

    @Override
    public String toString() {
        return SocketNames.domainName(domain) + "/" + SocketNames.typeName(type) + "/"
                + (protocol == null ? "any" : SocketNames.protocolName(domain, canonical(domain, type, protocol)));
    }
}
