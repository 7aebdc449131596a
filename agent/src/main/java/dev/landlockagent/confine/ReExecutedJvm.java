package dev.landlockagent.confine;

import dev.landlockagent.explain.ExplainContext;
import dev.landlockagent.log.Logs;
import dev.landlockagent.plan.KernelInfo;
import dev.landlockagent.plan.Planner;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The JVM the first one re-executed, born inside the domain, whose marker checked out: it puts
 * back the environment, gives the first JVM's report, and explains denials. It makes no syscall
 * and links no FFM: everything it enforces was applied before it existed.
 */
final class ReExecutedJvm {
    private final String agentArgument;
    private final Instrumentation inst;
    private final Path agentJar;
    private final Marker marker;

    ReExecutedJvm(String agentArgument, Instrumentation inst, Path agentJar, Marker marker) {
        this.agentArgument = agentArgument;
        this.inst = inst;
        this.agentJar = agentJar;
        this.marker = marker;
    }

    void run() throws ReflectiveOperationException {
        DenialExplanations.install(inst, new PlanAgain(agentArgument, agentJar, marker));
        Timing.mark("install instrumentation");
        Map<String, String> env = marker.moved().variables();
        if (!env.isEmpty()) {
            Startup.openJavaLang(inst);
            EnvironmentRestorer.restore(env);
        }
        marker.announce();
        Timing.mark("restore environment, log");
        Timing.print("re-executed JVM");
    }

    /**
     * The plan of the first JVM, made again when the first denial needs it: the same policy, JVM
     * and kernel ABI give the same plan. If the policy's bytes are not those the first JVM planned
     * (the file changed since), it explains nothing rather than describe a policy that is not the
     * one enforced.
     */
    static final class PlanAgain implements Supplier<ExplainContext> {
        private final String agentArgument;
        private final Path agentJar;
        private final Marker marker;

        PlanAgain(String agentArgument, Path agentJar, Marker marker) {
            this.agentArgument = agentArgument;
            this.agentJar = agentJar;
            this.marker = marker;
        }

        @Override
        public ExplainContext get() {
            LoadedPolicy loaded;
            try {
                // The moved options are on this command line now, and back in the environment only
                // for the policy's ${env:NAME}: as the first JVM saw them.
                CommandLine cmd = ThisJvm.commandLine();
                LaunchEnvironment env = LaunchEnvironment.ofThisProcess();
                loaded = LoadedPolicy.load(agentArgument, agentJar, cmd, env.allOptions(cmd),
                        env.withMovedBack(marker.moved()).variables());
            } catch (Exception e) {
                Logs.agent().warn("denials will not be explained: cannot read the policy again ({})", e.getMessage());
                return null;
            }
            String origin = loaded.document().origin();
            if (!loaded.document().digest().equals(marker.report().policyDigest())) {
                Logs.agent().warn("denials will not be explained: policy {} changed after this JVM was confined; the"
                        + " rules enforced are those it had at start", origin);
                return null;
            }
            try {
                return new ExplainContext(origin, Planner.plan(loaded.policy(), KernelInfo.of(marker.proof().abi()),
                        loaded.facts()));
            } catch (Exception e) {
                Logs.agent().warn("denials will not be explained: cannot plan policy {} again ({})", origin, e.getMessage());
                return null;
            }
        }
    }
}
