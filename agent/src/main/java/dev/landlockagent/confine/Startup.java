package dev.landlockagent.confine;

import dev.landlockagent.explain.DenialExplainer;
import dev.landlockagent.explain.ExplainContext;
import dev.landlockagent.instrument.DenialInstrumentation;
import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.Landlock;
import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.landlock.RestrictSelfFlag;
import dev.landlockagent.linux.Arch;
import dev.landlockagent.linux.LinuxSyscalls;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;
import dev.landlockagent.log.Logs;
import dev.landlockagent.plan.JvmFacts;
import dev.landlockagent.plan.KernelInfo;
import dev.landlockagent.plan.PathGrant;
import dev.landlockagent.plan.Planner;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.policy.Policy;
import dev.landlockagent.policy.PolicyContext;
import dev.landlockagent.policy.PolicyException;
import dev.landlockagent.policy.PolicyParser;
import dev.landlockagent.policy.PolicySource;
import dev.landlockagent.seccomp.SeccompFilter;
import dev.landlockagent.linux.SockFilter;
import org.slf4j.Logger;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The agent's start: find and check the policy, plan it for this kernel, confine every thread
 * (TSYNC, or restrict-and-re-exec), and only then let {@code main} run. Any failure ends the JVM
 * with one message and exit status 78 ({@link FailClosed}); there is no path that returns with the
 * JVM unconfined, except best-effort's documented "main thread only".
 */
public final class Startup implements Consumer<Object[]> {
    /** Forces a mechanism (auto, tsync, re-exec), for testing both paths on one kernel. */
    public static final String MECHANISM_PROPERTY = "landlock.mechanism";
    /** {@code false} turns off the instrumentation that explains denials. */
    public static final String EXPLAIN_PROPERTY = "landlock.explain";
    /** Prints a stack trace with a fail-closed message. */
    public static final String DEBUG_PROPERTY = "landlock.debug";
    private static final int MAX_GENERATIONS = 3;

    private final String agentArgument;
    private final Path agentJar;

    static {
        // Hand the launch trampoline, which cannot name this class, its entry point through the
        // class loader it created (launch.CoreClassLoader, a Consumer): no reflection at start-up.
        if (Startup.class.getClassLoader() instanceof Consumer<?> loader) {
            @SuppressWarnings("unchecked")
            Consumer<Object> handOver = (Consumer<Object>) loader;
            handOver.accept(new Startup(null, null));
        }
    }

    private Startup(String agentArgument, Path agentJar) {
        this.agentArgument = agentArgument;
        this.agentJar = agentJar;
    }

    /** From the launch trampoline: {agent argument, Instrumentation, agent jar Path, start nanos}. */
    @Override
    public void accept(Object[] args) {
        run((String) args[0], (Instrumentation) args[1], (Path) args[2], (Long) args[3]);
    }

    /** Entry point; never throws, returns only with the JVM confined. */
    public static void run(String agentArgument, Instrumentation inst, Path agentJar, long launchNanos) {
        Timing.start(launchNanos);
        Timing.mark("load agent core");
        try {
            new Startup(agentArgument, agentJar).start(inst);
        } catch (StartupFailure | PolicyException | PolicySource.NotFound e) {
            debugTrace(e);
            FailClosed.exit(e.getMessage());
        } catch (Throwable t) {
            debugTrace(t);
            FailClosed.exit("internal error in landlock-agent: " + t
                    + " (run with -D" + DEBUG_PROPERTY + "=true for the stack trace, and report it)");
        }
    }

    private static void debugTrace(Throwable t) {
        if (Boolean.getBoolean(DEBUG_PROPERTY)) {
            t.printStackTrace();
        }
    }

    private void start(Instrumentation inst) throws Exception {
        int generation = 0;
        String rejectedMarker = null;
        String markerValue = System.getProperty(Marker.PROPERTY);
        if (markerValue != null) {
            Marker marker = Marker.decode(markerValue);
            String rejected = marker == null ? "it is malformed"
                    : Verification.reject(marker, ThisJvm.pid(), agentJar);
            Timing.mark("verify marker");
            if (rejected == null) {
                explainDenials(inst, new PlanAgain(agentArgument, agentJar, marker.abi()));
                Timing.mark("install instrumentation");
                confined(marker, inst);
                Timing.mark("restore environment, log");
                Timing.print("re-executed JVM");
                return;
            }
            generation = marker == null ? 1 : marker.generation() + 1;
            if (marker != null && marker.pid() == ThisJvm.pid() && generation >= MAX_GENERATIONS) {
                throw new StartupFailure("the re-executed JVM could not confirm that it runs inside the Landlock domain ("
                        + rejected + ")");
            }
            System.clearProperty(Marker.PROPERTY);
            rejectedMarker = rejected;
            if (isDebug()) {
                log().debug("ignoring " + Marker.PROPERTY + ": " + rejected + "; confining this JVM");
            }
        }

        // The FFM link is the longest step of the first JVM: it starts first, and java.lang is
        // opened (for the native-access grant) while it loads the linker.
        NativeAccess nativeAccess = new NativeAccess();
        LinuxSyscalls.Linking linking = LinuxSyscalls.Linking.start(nativeAccess);
        try {
            openJavaLang(inst);
        } finally {
            nativeAccess.javaLangOpened();
        }
        Timing.mark("start FFM link");

        Path mainJar = ThisJvm.mainJar();
        PolicySource.Document doc = PolicySource.locate(agentArgument, System.getProperty(PolicySource.PROPERTY), mainJar);
        Policy policy = PolicyParser.parse(doc.bytes(), doc.origin(),
                PolicyContext.ofThisJvm(mainJar == null ? null : mainJar.getParent(), doc.folder()));
        Timing.mark("read and parse policy");
        CommandLine cmd = ThisJvm.commandLine();
        JvmFacts facts = ThisJvm.facts(cmd, agentJar, doc.file());
        Capabilities held = Capabilities.ofThisProcess();
        long canary = newCanary();
        Timing.mark("inspect JVM");

        Decision ahead = null;
        if (!linking.isDone()) {
            // The main thread would only wait for the FFM link: meanwhile, plan for the ABI this
            // kernel release suggests. The kernel's own answer below confirms it or plans again.
            LandlockAbi expected = LandlockAbi.expectedFor(System.getProperty("os.version"));
            if (expected.available()) {
                try {
                    ahead = decide(expected, policy, facts, held, cmd, doc, generation, canary);
                } catch (StartupFailure | PolicyException e) {
                    ahead = null; // reported, if still true, for the ABI the kernel reports
                }
                Timing.mark("plan ahead");
            }
            linking.warmUpMemoryAccess();
        }

        Syscalls sys = linking.await();
        Timing.mark("await FFM link");
        KernelInfo kernel = probe(sys);
        Decision decision = ahead != null && ahead.abi().version() == kernel.abi().version() ? ahead
                : decide(kernel.abi(), policy, facts, held, cmd, doc, generation, canary);
        Timing.mark(decision == ahead ? "probe kernel (as planned)" : "probe kernel, plan");
        if (!decision.readOnlyView().isEmpty()) {
            try {
                ReadOnlyView.enter(sys);
            } catch (SyscallException e) {
                // No mount namespace here (an AppArmor or seccomp profile forbids it): do without the
                // view, and say so on the INFO line.
                decision = decide(kernel.abi(), policy, facts, Capabilities.withoutMountView(held, e.getMessage()), cmd,
                        doc, generation, canary);
            }
            Timing.mark("read-only view");
        }
        RulesetPlan plan = decision.plan();
        Marker marker = decision.marker();
        if (isDebug()) {
            for (PathGrant g : plan.paths()) {
                log().debug("rule " + g);
            }
            for (String l : plan.listening().describe()) {
                log().debug(l);
            }
        }

        Confinement confinement = new Confinement(sys);
        switch (decision.mechanism()) {
            case REEXEC -> {
                ReExec.Request request = decision.request();
                try {
                    confinement.apply(plan, false, true, decision.seccompProgram(), decision.readOnlyView());
                } catch (StartupFailure e) {
                    if (rejectedMarker != null && e.getCause() instanceof SyscallException se
                            && se.is(dev.landlockagent.linux.Errno.E2BIG)) {
                        throw new StartupFailure(e.getMessage() + ". The JVM kept re-executing because it could not"
                                + " confirm the marker " + Marker.PROPERTY + " (" + rejectedMarker + "): a copy of it in an"
                                + " @argfile overrides the agent's own; remove it from there", e);
                    }
                    throw e;
                }
                Timing.mark("apply ruleset and filter");
                Timing.print("first JVM");
                ReExec.exec(request, sys);
            }
            case TSYNC -> {
                confinement.apply(plan, true, false, decision.seccompProgram(), List.of());
                closeInheritedDescriptors(plan, cmd, sys);
                nativeAccess.close();
                Timing.mark("apply ruleset and filter");
                System.setProperty(Marker.PROPERTY, marker.encode());
                announce(marker);
                explainDenials(inst, new Fixed(new ExplainContext(doc.origin(), plan)));
                Timing.mark("log");
                Timing.print("TSYNC");
            }
            case MAIN_THREAD_ONLY -> {
                confinement.apply(plan, false, false, decision.seccompProgram(), List.of());
                closeInheritedDescriptors(plan, cmd, sys);
                nativeAccess.close();
                announce(marker);
                explainDenials(inst, new Fixed(new ExplainContext(doc.origin(), plan)));
                log().warn("only the main thread and the threads it starts are confined: threads that existed before the"
                        + " agent ran (Finalizer, Reference Handler, Signal Dispatcher, Common-Cleaner) and threads they"
                        + " start are not. This kernel has no TSYNC and the JVM cannot be re-executed.");
            }
        }
    }

    /**
     * What the first JVM will do for one Landlock ABI: the ruleset plan, the mechanism, the marker
     * for the re-executed JVM and, on the re-exec path, everything execve needs (read before
     * restricting) and the steps of the {@link ReadOnlyView} (empty for none).
     */
    private record Decision(LandlockAbi abi, RulesetPlan plan, Mechanism mechanism, Marker marker,
                            ReExec.Request request, List<SockFilter> seccompProgram, List<ReadOnlyView.Step> readOnlyView) {
    }

    private Decision decide(LandlockAbi abi, Policy policy, JvmFacts facts, Capabilities held, CommandLine cmd,
                            PolicySource.Document doc, int generation, long canary) throws StartupFailure, PolicyException {
        RulesetPlan plan = Planner.plan(policy, new KernelInfo(abi), facts);
        Mechanism mechanism = mechanism(abi, policy, held, plan.capabilities());
        List<ReadOnlyView.Step> view = List.of();
        List<String> notEnforced = List.of();
        if (plan.handledFs() != 0) {
            if (mechanism == Mechanism.REEXEC && held.mayMount()) {
                try {
                    view = ReadOnlyView.steps(ReadOnlyView.writablePaths(plan), ReadOnlyView.mounts());
                } catch (IOException e) {
                    throw new StartupFailure("cannot read this JVM's mounts from /proc/self/mountinfo: " + e, e);
                }
            } else {
                notEnforced = List.of("metadata (chmod, chown, times, xattrs) of files this user owns outside the writable"
                        + " paths (" + held.whyNoMountView(mechanism == Mechanism.REEXEC) + ")");
            }
        }
        String info = "confined by " + doc.origin() + ": " + abi + ", " + mechanism.label() + "; " + plan.summary(notEnforced);
        Marker marker = new Marker(ThisJvm.pid(), canary, generation, abi.version(),
                mechanism.label(), null, null, info, plan.warnings());
        ReExec.Request request = null;
        if (mechanism == Mechanism.REEXEC) {
            boolean cwdListable = (plan.grantedAt(Path.of(System.getProperty("user.dir")))
                    & AccessFs.READ_DIR.mask()) != 0 || (plan.handledFs() & AccessFs.READ_DIR.mask()) == 0;
            request = ReExec.prepare(cmd, ThisJvm.executable(), ThisJvm.environment(), marker,
                    ReExec.perfDataOptions(cmd, cwdListable));
        }
        List<SockFilter> seccomp = Confinement.seccompProgram(plan, Arch.current(), new SeccompFilter.Canary(canary));
        return new Decision(abi, plan, mechanism, marker, request, seccomp, view);
    }

    /** The re-executed JVM, whose marker checked out: restore the environment, report, explain denials. */
    private void confined(Marker marker, Instrumentation inst) throws ReflectiveOperationException {
        Map<String, String> env = new LinkedHashMap<>();
        if (marker.javaToolOptions() != null) {
            env.put(ReExec.JAVA_TOOL_OPTIONS, marker.javaToolOptions());
        }
        if (marker.jdkJavaOptions() != null) {
            env.put(ReExec.JDK_JAVA_OPTIONS, marker.jdkJavaOptions());
        }
        if (!env.isEmpty()) {
            openJavaLang(inst);
            EnvironmentRestorer.restore(env);
        }
        announce(marker);
    }

    /** Instruments the JDK so that denials are explained, unless -Dlandlock.explain=false. */
    private static void explainDenials(Instrumentation inst, Supplier<ExplainContext> context) {
        if (!Boolean.parseBoolean(System.getProperty(EXPLAIN_PROPERTY, "true"))) {
            return;
        }
        try {
            DenialInstrumentation.install(inst, new Explainer(context));
        } catch (RuntimeException | LinkageError e) {
            log().warn("denials will not be explained: cannot instrument the JDK ({})", e.toString());
        }
    }

    /** Makes the explainer on the instrumentation's own thread, when it starts. */
    private static final class Explainer implements Supplier<BiFunction<String, Object[], Throwable>> {
        private final Supplier<ExplainContext> context;

        Explainer(Supplier<ExplainContext> context) {
            this.context = context;
        }

        @Override
        public BiFunction<String, Object[], Throwable> get() {
            return new DenialExplainer(context);
        }
    }

    /**
     * The plan of the first JVM, made again in the re-executed one when the first denial needs it:
     * the same policy, JVM and kernel ABI give the same plan.
     */
    private static final class PlanAgain implements Supplier<ExplainContext> {
        private final String agentArgument;
        private final Path agentJar;
        private final int abi;

        PlanAgain(String agentArgument, Path agentJar, int abi) {
            this.agentArgument = agentArgument;
            this.agentJar = agentJar;
            this.abi = abi;
        }

        @Override
        public ExplainContext get() {
            try {
                Path mainJar = ThisJvm.mainJar();
                PolicySource.Document doc = PolicySource.locate(agentArgument, System.getProperty(PolicySource.PROPERTY), mainJar);
                Policy policy = PolicyParser.parse(doc.bytes(), doc.origin(),
                        PolicyContext.ofThisJvm(mainJar == null ? null : mainJar.getParent(), doc.folder()));
                JvmFacts facts = ThisJvm.facts(ThisJvm.commandLine(), agentJar, doc.file());
                return new ExplainContext(doc.origin(), Planner.plan(policy, KernelInfo.of(abi), facts));
            } catch (Exception e) {
                throw new IllegalStateException("cannot read the policy again to explain a denial: " + e.getMessage(), e);
            }
        }
    }

    /** Without a re-exec, what close-on-exec does there: {@link InheritedDescriptors}. */
    private static void closeInheritedDescriptors(RulesetPlan plan, CommandLine cmd, Syscalls sys) throws StartupFailure {
        int first = 3 + ReExec.systemdListenFds(ThisJvm.environment(), ThisJvm.pid());
        InheritedDescriptors.replace(InheritedDescriptors.unwanted(InheritedDescriptors.open(), first, plan,
                ReExec.jvmOptions(cmd)), sys);
        Timing.mark("close inherited descriptors");
    }

    private static void announce(Marker marker) {
        Logger log = log();
        log.info(marker.summary());
        for (String w : marker.warnings()) {
            log.warn(w);
        }
    }

    /**
     * TSYNC where the kernel has it, unless this JVM holds capabilities the policy does not keep:
     * capabilities belong to each thread and no syscall takes them from the JVM's other threads
     * ({@link Capabilities}), so such a JVM (root, as in most containers) is re-executed instead.
     */
    private Mechanism mechanism(LandlockAbi abi, Policy policy, Capabilities held, long keep) throws StartupFailure {
        String forced = System.getProperty(MECHANISM_PROPERTY, "auto");
        switch (forced) {
            case "tsync":
                if (held.needsDropping(keep)) {
                    throw new StartupFailure("-D" + MECHANISM_PROPERTY + "=tsync cannot take the capabilities "
                            + String.join(", ", held.beyond(keep)) + " from the JVM's other threads (capabilities belong"
                            + " to each thread); remove the option to let the agent re-execute the JVM, or keep them with"
                            + " \"capabilities\" in the policy");
                }
                return Mechanism.TSYNC;
            case "re-exec", "reexec":
                return reExecOrFallback(policy, "-D" + MECHANISM_PROPERTY + "=" + forced + " asks for it");
            case "auto":
                if (!abi.hasTsync()) {
                    return reExecOrFallback(policy, abi + " has no TSYNC (" + LandlockAbi.describe(RestrictSelfFlag.TSYNC.sinceAbi()) + ")");
                }
                return held.needsDropping(keep) ? reExecOrFallback(policy, "the JVM holds the capabilities "
                        + String.join(", ", held.beyond(keep)) + ", which no syscall can take from its other threads")
                        : Mechanism.TSYNC;
            default:
                throw new StartupFailure("-D" + MECHANISM_PROPERTY + "=" + forced + " is not one of auto, tsync, re-exec");
        }
    }

    /** @param whyNotTsync why TSYNC cannot confine this JVM, for the message when re-exec cannot either */
    private Mechanism reExecOrFallback(Policy policy, String whyNotTsync) throws StartupFailure {
        String why = reExecImpossible();
        if (why == null) {
            return Mechanism.REEXEC;
        }
        if (policy.compatibility() == Policy.Compatibility.BEST_EFFORT) {
            return Mechanism.MAIN_THREAD_ONLY;
        }
        throw new StartupFailure("cannot confine every thread of this JVM: " + whyNotTsync
                + ", and the JVM cannot be re-executed inside the domain because " + why
                + ". Run it with the java launcher, or set \"compatibility\": \"best-effort\" to confine the main thread only");
    }

    /** Why this process cannot be re-executed as the same JVM, or null. */
    private static String reExecImpossible() throws StartupFailure {
        Path exe = ThisJvm.executable();
        Path javaHome = Path.of(System.getProperty("java.home"));
        try {
            Path real = exe.toRealPath();
            if (!ReExec.isJavaLauncher(real) || !real.startsWith(javaHome.toRealPath())) {
                return "/proc/self/exe is " + exe + ", not the java launcher of " + javaHome;
            }
        } catch (IOException e) {
            return "/proc/self/exe (" + exe + ") cannot be resolved: " + e.getMessage();
        }
        return null;
    }

    static KernelInfo probe(Syscalls sys) throws StartupFailure {
        Landlock landlock = new Landlock(sys);
        LandlockAbi abi;
        try {
            abi = landlock.abi();
        } catch (SyscallException e) {
            throw new StartupFailure("Landlock is not available, so the policy cannot be enforced: " + e.meaning()
                    + " (" + e.syscall() + " returned " + dev.landlockagent.linux.Errno.nameOf(e.errno()) + ")", e);
        }
        return new KernelInfo(abi);
    }

    /** A canary offset in [2^62, 2^63): positive, and never a position a real file read uses. */
    private static long newCanary() throws IOException {
        try (InputStream in = new FileInputStream("/dev/urandom")) {
            byte[] b = in.readNBytes(8);
            if (b.length != 8) {
                throw new IOException("short read from /dev/urandom");
            }
            long r = ByteBuffer.wrap(b).getLong();
            return (r & ((1L << 62) - 1)) | (1L << 62);
        }
    }

    private static final class Fixed implements Supplier<ExplainContext> {
        private final ExplainContext context;

        Fixed(ExplainContext context) {
            this.context = context;
        }

        @Override
        public ExplainContext get() {
            return context;
        }
    }

    /**
     * Opens {@code java.lang} to the agent's own class loader (not to the application's): to turn
     * native access on and off ({@link NativeAccess}) and to restore the environment
     * ({@link EnvironmentRestorer}). Only when needed: it costs ~13 ms on a cold JVM.
     */
    private static void openJavaLang(Instrumentation inst) {
        Module self = Startup.class.getModule();
        if (!Object.class.getModule().isOpen("java.lang", self)) {
            inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(), Map.of("java.lang", Set.of(self)),
                    Set.of(), Map.of());
        }
    }

    private static Logger log() {
        return Logs.agent();
    }

    private static boolean isDebug() {
        String level = System.getProperty("landlock.log", "");
        return level.equalsIgnoreCase("debug") || level.equalsIgnoreCase("trace");
    }
}
