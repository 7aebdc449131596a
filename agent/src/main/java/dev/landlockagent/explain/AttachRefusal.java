package dev.landlockagent.explain;

import dev.landlockagent.log.Logs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Says once, in the confined JVM's log, that a tool asked to attach and the policy does not let
 * it. {@code jcmd}, {@code jstack}, JMC and the Attach API leave {@code .attach_pid<pid>} in the
 * JVM's working directory or in /tmp and send SIGQUIT; HotSpot then makes its attach socket in
 * /tmp, which a policy without {@code "attach": true} does not allow, and the tool gives up after
 * ten seconds with "Unable to open socket file". Java code cannot see the signal, so a daemon
 * thread looks for the file once a second (a stat, which Landlock does not check) and ends after
 * it has spoken.
 */
public final class AttachRefusal extends Thread {
    private final long pid;
    private final String origin;
    private final BooleanSupplier attachOff;

    private AttachRefusal(long pid, String origin, BooleanSupplier attachOff) {
        super("landlock-agent attach refusal");
        setDaemon(true);
        this.pid = pid;
        this.origin = origin;
        this.attachOff = attachOff;
    }

    /**
     * Starts watching, for a JVM whose policy does not allow attach; the thread ends at once when
     * {@code attachOff} says the operator turned attach off (asked on the thread, not the caller's).
     */
    public static void start(long pid, String origin, BooleanSupplier attachOff) {
        new AttachRefusal(pid, origin, attachOff).start();
    }

    @Override
    public void run() {
        try {
            Thread.sleep(1000); // first out of the way of the JVM's start
            if (attachOff.getAsBoolean()) {
                return;
            }
            String name = ".attach_pid" + pid;
            // HotSpot looks in its working directory, then in /tmp (os::get_temp_directory on Linux).
            Path[] triggers = {Path.of(System.getProperty("user.dir")).resolve(name), Path.of("/tmp").resolve(name)};
            while (true) {
                for (Path t : triggers) {
                    if (Files.exists(t)) {
                        Logs.agent().warn("a tool (jcmd, jstack, JMC or the Attach API) asked to attach to this JVM, and policy {}"
                                + " does not allow it: the JVM cannot make its attach socket in /tmp. To allow it, add"
                                + " \"attach\": true to the policy", origin);
                        return;
                    }
                }
                Thread.sleep(1000);
            }
        } catch (InterruptedException | RuntimeException stop) {
            // the JVM is exiting, or /tmp went away
        }
    }
}
