package dev.landlockagent.explain;

import dev.landlockagent.log.Logs;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes this JVM's denial counts ({@link DenialLog}) as the platform MBean {@value #NAME}.
 *
 * <p>Registered at the first denial, on a thread of its own, not at start-up: the platform MBean
 * server costs a JVM its management classes and platform MXBeans (docs/performance.md), and a JVM
 * that is never denied has nothing to count. {@code -Dlandlock.jmx=start} registers it at start,
 * for dashboards that want a zero from the first scrape; {@code false} never.
 */
public final class DenialMetrics implements DenialsMXBean {
    public static final String NAME = "dev.landlockagent:type=Denials";
    /** {@code start}, {@code denial} (the default) or {@code false}. */
    public static final String PROPERTY = "landlock.jmx";

    private final DenialLog log;
    private final String origin;
    private final String digest;
    private final AtomicBoolean registered = new AtomicBoolean();

    private DenialMetrics(DenialLog log, String origin, String digest) {
        this.log = log;
        this.origin = origin;
        this.digest = digest;
    }

    /** Counts this JVM's denials under the policy {@code origin} with {@code digest}, and publishes them as the property says. */
    public static void publish(String origin, String digest) {
        String when = System.getProperty(PROPERTY, "denial");
        if (when.equals("false")) {
            return;
        }
        DenialMetrics m = new DenialMetrics(DenialLog.JVM, origin, digest);
        DenialLog.JVM.publish(m);
        if (when.equals("start")) {
            m.firstDenial();
        }
    }

    /** Registers the MBean once, off the calling thread (the denied one, which must not wait for JMX). */
    void firstDenial() {
        if (!registered.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                register();
            }
        }, "landlock-agent-jmx");
        t.setDaemon(true);
        t.start();
    }

    private void register() {
        try {
            javax.management.MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName name = new javax.management.ObjectName(NAME);
            if (!server.isRegistered(name)) {
                server.registerMBean(new javax.management.StandardMBean(this, DenialsMXBean.class, true), name);
            }
        } catch (Exception | LinkageError e) {
            // java.management is not in this runtime (a jlink image without it), or another copy registered first
            Logs.agent().debug("the denial counts are not published as " + NAME + ": " + e);
        }
    }

    @Override
    public String getPolicyOrigin() {
        return origin;
    }

    @Override
    public String getPolicyDigest() {
        return digest;
    }

    @Override
    public long getTotal() {
        return log.total();
    }

    @Override
    public Map<String, Long> getByKind() {
        return log.byKind();
    }

    @Override
    public Map<String, Long> getByDenial() {
        return log.byDenial();
    }

    @Override
    public long getUnlisted() {
        return log.unlisted();
    }
}
