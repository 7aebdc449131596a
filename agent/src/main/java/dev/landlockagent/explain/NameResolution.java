package dev.landlockagent.explain;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.linux.SocketNames;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.plan.SocketPlan;

import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A host name the JDK could not resolve, explained when the policy is why: resolving needs
 * {@code /etc/hosts} and UDP sockets for DNS ({@code "dns": true}). The JDK's resolver reports a
 * denied socket or file as UnknownHostException, not as a permission error, so this judges the plan alone.
 */
final class NameResolution {
    private NameResolution() {
    }

    /** The denial, or null when the policy allows resolving (the name is unknown, or the resolver is down). */
    static Denial explain(RulesetPlan plan, String host, Throwable thrown) {
        if (!(thrown instanceof UnknownHostException)) {
            return null;
        }
        SocketPlan s = plan.sockets();
        boolean udp = s.allows(SocketNames.AF_INET, SocketNames.SOCK_DGRAM, 0) || s.allows(SocketNames.AF_INET6, SocketNames.SOCK_DGRAM, 0);
        boolean hosts = (FileAccess.granted(plan, FileAccess.resolve("/etc/hosts")) & AccessFs.READ_FILE.mask()) != 0
                || (plan.handledFs() & AccessFs.READ_FILE.mask()) == 0;
        if (udp && hosts) {
            return null;
        }
        List<String> lacks = new ArrayList<>();
        if (!hosts) {
            lacks.add("reading /etc/hosts");
        }
        if (!udp) {
            lacks.add("UDP sockets for DNS");
        }
        return Denial.byPolicy("resolve " + host + " (" + String.join(" and ", lacks) + " not allowed)",
                "no name resolution", "\"dns\": true", "the policy", Denial.Facts.host(host));
    }
}
