package dev.landlockagent.confine;

import dev.landlockagent.landlock.Landlock;
import dev.landlockagent.learn.LearnArgument;
import dev.landlockagent.learn.LearnRun;
import dev.landlockagent.linux.LinuxSyscalls;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;
import dev.landlockagent.log.Logs;
import dev.landlockagent.plan.JvmBaseline;
import dev.landlockagent.plan.JvmFacts;
import dev.landlockagent.policy.Policy;
import dev.landlockagent.policy.PolicyContext;
import dev.landlockagent.policy.PolicyParser;
import dev.landlockagent.policy.Substitutions;

import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a learn run ({@link LearnRun}) in place of confinement: with the facts the JVM baseline
 * is made of, so that the learned policy leaves out what {@code "jvm": "auto"} gives. A policy file
 * that says {@code "learning": false} refuses it: in {@code strict} the JVM does not start, in
 * {@code best-effort} it runs confined by that policy instead.
 */
final class LearnStart {
    private LearnStart() {
    }

    /** Returns false when the policy forbids learning and the JVM is to be confined by it instead. */
    static boolean learn(LearnArgument argument, Instrumentation inst, Path agentJar) throws Exception {
        Path mainJar = ThisJvm.mainJar();
        Path appDir = mainJar == null ? null : mainJar.toAbsolutePath().getParent();
        LaunchEnvironment env = LaunchEnvironment.ofThisProcess();
        PolicyContext context = PolicyContext.ofThisJvm(appDir, argument.policy().getParent(), env.variables());
        if (Files.exists(argument.policy())) {
            byte[] bytes = Files.readAllBytes(argument.policy());
            String origin = argument.policy().toString();
            Policy policy = PolicyParser.parse(bytes, origin, context);
            if (!policy.learning()) {
                if (policy.compatibility() == Policy.Compatibility.STRICT) {
                    throw new StartupFailure("policy " + origin + " says \"learning\": false, so no learn run may write"
                            + " into it; run without learn: to be confined by it, or learn into another file");
                }
                Logs.agent().warn("policy " + origin + " says \"learning\": false: not learning; the JVM is confined by it");
                return false;
            }
        }
        NativeAccess nativeAccess = new NativeAccess();
        LinuxSyscalls.Linking linking = nativeAccess.startLink(inst);
        CommandLine cmd = ThisJvm.commandLine();
        JvmFacts facts = ThisJvm.facts(cmd, env.allOptions(cmd), env.variables(), agentJar, argument.policy());
        List<LearnRun.Grant> baseline = new ArrayList<>();
        for (JvmBaseline.Entry e : JvmBaseline.entries(facts)) {
            baseline.add(new LearnRun.Grant(e.path(), e.access()));
        }
        Map<String, Path> substitutions = Substitutions.values(context);
        Syscalls sys = linking.await();
        int abi;
        try {
            abi = new Landlock(sys).abi().version();
        } catch (SyscallException e) {
            abi = 0; // learning needs no Landlock; the policy is for a kernel that has it
        }
        System.err.println(LearnRun.banner(argument));
        System.err.flush();
        try {
            new LearnRun(new LearnRun.Setup(argument, facts.javaHome(), agentJar, baseline, substitutions, abi), sys)
                    .start(ThisJvm.pid());
        } catch (SyscallException e) {
            throw new StartupFailure("the learn run cannot record this JVM: " + e.getMessage()
                    + " (seccomp user notification needs Linux 5.7 or later, and no seccomp profile that forbids it)", e);
        } catch (java.io.IOException e) {
            throw new StartupFailure("the learn run cannot record this JVM: " + e.getMessage(), e);
        }
        nativeAccess.close();
        return true;
    }
}
