package dev.landlockagent.junit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;

/**
 * For a project's own tests run in a JVM that landlock-agent confines (Surefire's or Failsafe's
 * {@code argLine}): with {@code -Dlandlock.junit.failOnDenial=true}, a test during which the agent
 * denied anything fails, naming each denial and the rule that would allow it. It reads the agent's
 * MBean {@code dev.landlockagent:type=Denials}, so the argLine also needs {@code -Dlandlock.jmx=start}.
 *
 * <p>Registered by JUnit's extension auto-detection
 * ({@code junit.jupiter.extensions.autodetection.enabled=true}); it does nothing without the switch,
 * and nothing in a JVM {@link Sandboxed} forked (there the test JVM reports the denials).
 */
public final class DenialGuard implements BeforeEachCallback, AfterEachCallback {
    static final String MBEAN = "dev.landlockagent:type=Denials";
    private static final long WAIT_FOR_MBEAN_MS = 10_000;
    private static volatile boolean seen;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (active()) {
            ExtensionContext.Store store = context.getStore(ExtensionContext.Namespace.create(DenialGuard.class));
            store.put("before", byDenial());
            store.put("total", total());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!active()) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Long> before = (Map<String, Long>) context.getStore(ExtensionContext.Namespace.create(DenialGuard.class))
                .get("before", Map.class);
        Long totalBefore = context.getStore(ExtensionContext.Namespace.create(DenialGuard.class)).get("total", Long.class);
        Map<String, Long> after = byDenial();
        long total = total();
        long n = total - (totalBefore == null ? 0 : totalBefore);
        StringBuilder b = new StringBuilder();
        long listed = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long more = e.getValue() - (before == null ? 0 : before.getOrDefault(e.getKey(), 0L));
            if (more > 0) {
                listed += more;
                b.append("\n  ").append(more).append(" × add to ").append(e.getKey());
            }
        }
        if (n > listed) {
            b.append("\n  ").append(n - listed).append(" × of kinds beyond the first the agent lists");
        }
        if (n > 0) {
            throw new AssertionError("landlock-agent denied " + n + (n == 1 ? " operation" : " operations")
                    + " during this test under policy " + server().getAttribute(new ObjectName(MBEAN), "PolicyOrigin")
                    + " (" + FAIL_ON_DENIAL_HELP + "):" + b + "\n(" + total + " in this JVM so far; the agent's WARN line for each"
                    + " has the rule to paste)");
        }
    }

    private static final String FAIL_ON_DENIAL_HELP = "-D" + SandboxedExtension.FAIL_ON_DENIAL + "=true";

    private static boolean active() {
        return Boolean.getBoolean(SandboxedExtension.FAIL_ON_DENIAL) && !SandboxedExtension.inFork();
    }

    private static MBeanServer server() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    private static long total() throws Exception {
        return (Long) server().getAttribute(new ObjectName(MBEAN), "Total");
    }

    /** The MBean's count of each distinct denial, keyed by where the rule goes and the rule. */
    private static Map<String, Long> byDenial() throws Exception {
        MBeanServer server = server();
        ObjectName name = new ObjectName(MBEAN);
        if (!seen) {
            long deadline = System.currentTimeMillis() + WAIT_FOR_MBEAN_MS;
            while (!server.isRegistered(name)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new ExtensionConfigurationException(FAIL_ON_DENIAL_HELP + " needs this test JVM confined by"
                            + " landlock-agent with its MBean published at start: add -javaagent:<landlock-agent.jar>=<policy>"
                            + " -Dlandlock.jmx=start to the argLine (no " + MBEAN + " after "
                            + WAIT_FOR_MBEAN_MS / 1000 + " s)");
                }
                Thread.sleep(20);
            }
            seen = true;
        }
        Map<String, Long> out = new TreeMap<>();
        TabularData table = (TabularData) server.getAttribute(name, "ByDenial");
        for (Object row : table.values()) {
            CompositeData c = (CompositeData) row;
            out.put((String) c.get("key"), (Long) c.get("value"));
        }
        return out;
    }
}
