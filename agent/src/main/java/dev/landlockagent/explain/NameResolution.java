package dev.landlockagent.explain;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.linux.SocketNames;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.plan.SocketPlan;

import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A host name the JDK could not resolve, explained when the policy is why. The JDK's resolver
 * reports a denied socket or file as UnknownHostException, not as a permission error, so this
 * judges the plan alone. A name that /etc/hosts holds (localhost, the host's own name, which
 * servers resolve at start) needs only {@code "dns": "hosts"}, which opens no socket; any other
 * name needs {@code "dns": true}.
 */
final class NameResolution {
    private static final Path HOSTS = Path.of("/etc/hosts");

    private NameResolution() {
    }

    /** The denial, or null when the policy allows resolving {@code host} (it is unknown, or the resolver is down). */
    static Denial explain(RulesetPlan plan, String host, Throwable thrown) {
        if (!(thrown instanceof UnknownHostException)) {
            return null;
        }
        SocketPlan s = plan.sockets();
        boolean udp = s.allows(SocketNames.AF_INET, SocketNames.SOCK_DGRAM, 0) || s.allows(SocketNames.AF_INET6, SocketNames.SOCK_DGRAM, 0);
        boolean hostsReadable = (FileAccess.granted(plan, FileAccess.resolve(HOSTS.toString())) & AccessFs.READ_FILE.mask()) != 0
                || (plan.handledFs() & AccessFs.READ_FILE.mask()) == 0;
        boolean inHostsFile = inHostsFile(host, hostsReadable);
        if (udp && hostsReadable || hostsReadable && inHostsFile) {
            return null;
        }
        Denial.Facts f = Denial.Facts.host(host);
        if (!hostsReadable && inHostsFile) {
            return Denial.byPolicy("resolve " + host + " (reading /etc/hosts not allowed; " + host + " is a name /etc/hosts holds)",
                    "no name resolution", "\"dns\": \"hosts\"", "the policy", f);
        }
        String lacks = hostsReadable ? "UDP sockets for DNS" : udp ? "reading /etc/hosts" : "reading /etc/hosts and UDP sockets for DNS";
        String allowed = hostsReadable ? "the names in /etc/hosts only" : "no name resolution";
        return Denial.byPolicy("resolve " + host + " (" + lacks + " not allowed)", allowed, "\"dns\": true", "the policy", f);
    }

    /**
     * Whether /etc/hosts names {@code host}: read when the policy lets this JVM read it; otherwise
     * the names it holds on Debian, in containers and on most systems: localhost and this host's own.
     */
    static boolean inHostsFile(String host, boolean readable) {
        String h = host.toLowerCase(Locale.ROOT);
        if (readable) {
            try {
                for (String line : Files.readAllLines(HOSTS)) {
                    int hash = line.indexOf('#');
                    String[] fields = (hash < 0 ? line : line.substring(0, hash)).strip().split("\\s+");
                    for (int i = 1; i < fields.length; i++) {
                        if (fields[i].toLowerCase(Locale.ROOT).equals(h)) {
                            return true;
                        }
                    }
                }
                return false;
            } catch (IOException | RuntimeException e) {
                // fall back to the usual names
            }
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        try {
            String own = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip().toLowerCase(Locale.ROOT);
            int dot = own.indexOf('.');
            return h.equals(own) || dot > 0 && h.equals(own.substring(0, dot));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
