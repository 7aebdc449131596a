package dev.landlockagent.explain;

import dev.landlockagent.log.Logs;

import java.nio.file.Files;
import java.nio.file.Path;

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
    private final Path[] triggers;
    private final String origin;

    private AttachRefusal(long pid, Path workingDir, Path hotSpotTmp, String origin) {
        super("landlock-agent attach refusal");
        setDaemon(true);
        String name = ".attach_pid" + pid;
        this.triggers = new Path[] {workingDir.resolve(name), hotSpotTmp.resolve(name)};
        this.origin = origin;
    }

    /** Starts watching, for a JVM whose policy does not allow attach. */
    public static void start(long pid, Path workingDir, Path hotSpotTmp, String origin) {
        new AttachRefusal(pid, workingDir, hotSpotTmp, origin).start();
    }

    @Override
    public void run() {
        try {
            while (true) {
                Thread.sleep(1000);
                for (Path t : triggers) {
                    if (Files.exists(t)) {
                        Logs.agent().warn("a tool (jcmd, jstack, JMC or the Attach API) asked to attach to this JVM, and policy {}"
                                + " does not allow it: the JVM cannot make its attach socket in /tmp. To allow it, add"
                                + " \"attach\": true to the policy", origin);
                        return;
                    }
                }
            }
        } catch (InterruptedException | RuntimeException stop) {
            // the JVM is exiting, or /tmp went away
        }
    }
}
