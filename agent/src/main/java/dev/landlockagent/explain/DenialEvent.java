package dev.landlockagent.explain;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A denied operation, as a JFR event: it shows in {@code jfr print} and JDK Mission Control. */
@Name("landlock.Denial")
@Label("Landlock Denial")
@Category("Landlock")
@Description("An operation the kernel denied to this confined JVM, with the policy rule that would allow it")
@StackTrace(true)
final class DenialEvent extends Event {
    @Label("Operation")
    String operation;

    @Label("Denied")
    @Description("The operation in kernel terms")
    String denied;

    @Label("By Policy")
    @Description("False when the policy allows it and the denial came from elsewhere")
    boolean byPolicy;

    @Label("Domain")
    String domain;

    @Label("Type")
    String type;

    @Label("Protocol")
    String protocol;

    @Label("Port")
    int port;

    @Label("Path")
    String path;

    @Label("Policy")
    String policy;

    @Label("Rule")
    @Description("The rule to add to the policy")
    String rule;
}
