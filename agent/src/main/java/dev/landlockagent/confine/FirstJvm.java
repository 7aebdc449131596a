package dev.landlockagent.confine;

import dev.landlockagent.explain.ExplainContext;
import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.Landlock;
import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.linux.Arch;
import dev.landlockagent.linux.Errno;
import dev.landlockagent.linux.LinuxSyscalls;
import dev.landlockagent.linux.ProcStatus;
import dev.landlockagent.linux.SockFilter;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;
import dev.landlockagent.log.Logs;
import dev.landlockagent.plan.DiagnosticFiles;
import dev.landlockagent.plan.JvmBaseline;
import dev.landlockagent.plan.JvmFacts;
import dev.landlockagent.plan.KernelInfo;
import dev.landlockagent.plan.PathGrant;
import dev.landlockagent.plan.Planner;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.policy.AccessNames;
import dev.landlockagent.policy.Policy;
import dev.landlockagent.policy.PolicyException;
import dev.landlockagent.seccomp.SeccompFilter;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The first JVM of a process: it loads the policy, plans it for this kernel, chooses the
 * {@link Mechanism}, and confines itself: with TSYNC every thread at once, after which
 * {@code main} runs here; or its main thread, then it re-executes the JVM inside the domain
 * ({@link ReExec}). Everything is read and planned before the first restriction.
 */
final class FirstJvm {
    private final String agentArgument;
    private final Instrumentation inst;
    private final Path agentJar;
    private final int generation;
    /** Why the marker on this JVM's command line was not accepted, or null when there was none. */
    private final String rejectedMarker;

    private CommandLine cmd;
    private LaunchEnvironment env;
    /** The JVM's own options (launcher and JAVA_TOOL_OPTIONS), for the perf-data flags and inherited descriptors. */
    private List<String> jvmOptions;
    private LoadedPolicy loaded;
    private Path executable;
    private long pid;
    private long canary;
    /** This run's diagnostics folder, once made. */
    private Path runFolder;
    private boolean runFolderFailed;

    FirstJvm(String agentArgument, Instrumentation inst, Path agentJar, int generation, String rejectedMarker) {
        this.agentArgument = agentArgument;
        this.inst = inst;
        this.agentJar = agentJar;
        this.generation = generation;
        this.rejectedMarker = rejectedMarker;
    }

    /**
     * What the first JVM will do for one Landlock ABI: the ruleset plan, the mechanism, the marker
     * for the re-executed JVM and, on the re-exec path, everything execve needs (read before
     * restricting) and the steps of the {@link ReadOnlyView} (empty for none).
     */
    private record Decision(RulesetPlan plan, Mechanism mechanism, Marker marker, ReExec.Request request,
                            List<SockFilter> seccompProgram, List<ReadOnlyView.Step> readOnlyView) {
    }

    void confine() throws Exception {
        try {
            confineThisJvm();
        } catch (Exception | Error e) {
            if (runFolder != null) {
                try {
                    Files.deleteIfExists(runFolder); // the JVM does not start: nothing of this run to keep
                } catch (IOException | RuntimeException kept) {
                    // not empty, or gone
                }
            }
            throw e;
        }
    }

    private void confineThisJvm() throws Exception {
        // The FFM link is the longest step of the first JVM: it starts first, and java.lang is
        // opened (for the native-access grant) while it loads the linker.
        NativeAccess nativeAccess = new NativeAccess();
        LinuxSyscalls.Linking linking = nativeAccess.startLink(inst);
        Timing.mark("start FFM link");

        cmd = ThisJvm.commandLine();
        env = LaunchEnvironment.ofThisProcess();
        jvmOptions = env.jvmOptions(cmd);
        loaded = LoadedPolicy.load(agentArgument, agentJar, cmd, env.allOptions(cmd), env.variables());
        makeNamedRepositories();
        Timing.mark("read and parse policy, inspect JVM");
        executable = ThisJvm.executable();
        pid = ThisJvm.pid();
        Capabilities held = Capabilities.ofThisProcess();
        canary = newCanary();
        Timing.mark("capabilities, canary");

        Decision ahead = null;
        if (!linking.isDone()) {
            // The main thread would only wait for the FFM link: meanwhile, plan for the ABI this
            // kernel release suggests. The kernel's own answer below confirms it or plans again.
            LandlockAbi expected = LandlockAbi.expectedFor(System.getProperty("os.version"));
            if (expected.available()) {
                try {
                    ahead = decide(expected, held);
                } catch (StartupFailure | PolicyException e) {
                    ahead = null; // reported, if still true, for the ABI the kernel reports
                }
                Timing.mark("plan ahead");
            }
            linking.warmUpMemoryAccess();
        }

        Syscalls sys = linking.await();
        Timing.mark("await FFM link");
        LandlockAbi abi = probe(sys).abi();
        Decision decision = ahead != null && ahead.plan().abi().version() == abi.version() ? ahead : decide(abi, held);
        Timing.mark(decision == ahead ? "probe kernel (as planned)" : "probe kernel, plan");
        if (!decision.readOnlyView().isEmpty()) {
            try {
                ReadOnlyView.enter(sys);
            } catch (SyscallException e) {
                // No mount namespace here (an AppArmor or seccomp profile forbids it): do without the
                // view, and say so on the INFO line.
                decision = decide(abi, Capabilities.withoutMountView(held, e.getMessage()));
            }
            Timing.mark("read-only view");
        }
        RulesetPlan plan = decision.plan();
        if (Startup.isDebug()) {
            for (PathGrant g : plan.paths()) {
                Logs.agent().debug("rule " + g);
            }
            for (String l : plan.listening().describe()) {
                Logs.agent().debug(l);
            }
        }

        Confinement confinement = new Confinement(sys);
        switch (decision.mechanism()) {
            case REEXEC -> {
                ReExec.removePerfDataFile(loaded.facts().perfDataFolder(), pid);
                try {
                    confinement.apply(plan, Mechanism.REEXEC, decision.seccompProgram(), decision.readOnlyView());
                } catch (StartupFailure e) {
                    throw rejectedMarker != null && e.getCause() instanceof SyscallException se && se.is(Errno.E2BIG)
                            ? new StartupFailure(e.getMessage() + ". The JVM kept re-executing because it could not"
                            + " confirm the marker " + Marker.PROPERTY + " (" + rejectedMarker + "): a copy of it in an"
                            + " @argfile overrides the agent's own; remove it from there", e)
                            : e;
                }
                Timing.mark("apply ruleset and filter");
                Timing.print("first JVM");
                ReExec.exec(decision.request(), sys);
            }
            case TSYNC, MAIN_THREAD_ONLY -> {
                confinement.apply(plan, decision.mechanism(), decision.seccompProgram(), List.of());
                closeInheritedDescriptors(plan, sys);
                nativeAccess.close();
                Timing.mark("apply ruleset and filter");
                if (decision.mechanism() == Mechanism.TSYNC) {
                    System.setProperty(Marker.PROPERTY, decision.marker().encode());
                }
                decision.marker().announce();
                if (runFolder != null && plan.grantedAt(runFolder) != 0) {
                    System.setProperty(DiagnosticFiles.RUN_FOLDER_PROPERTY, runFolder.toString());
                    ReExecutedJvm.keepDiagnostics(inst, runFolder);
                }
                ReExecutedJvm.watchAttach(plan.attach(), pid, loaded.document().origin());
                DenialExplanations.install(inst, new DenialExplanations.Fixed(
                        new ExplainContext(loaded.document().origin(), plan)));
                ExitRules.install(inst, decision.marker());
                dev.landlockagent.explain.DenialMetrics.publish(loaded.document().origin(), loaded.document().digest());
                if (decision.mechanism() == Mechanism.MAIN_THREAD_ONLY) {
                    Logs.agent().warn("only the main thread and the threads it starts are confined: threads that existed"
                            + " before the agent ran (Finalizer, Reference Handler, Signal Dispatcher, Common-Cleaner) and"
                            + " threads they start are not. This kernel has no TSYNC and the JVM cannot be re-executed.");
                }
                Timing.mark("log");
                Timing.print(decision.mechanism().label());
            }
        }
    }

    /** Makes the JFR repositories the operator named, as JFR would: a rule needs the folder to exist. */
    private void makeNamedRepositories() throws StartupFailure {
        if (loaded.policy().jvm() != Policy.JvmBaseline.AUTO) {
            return;
        }
        Path folder = loaded.facts().diagnostics().repository();
        if (folder != null) {
            try {
                if (!Files.isDirectory(folder)) {
                    Files.createDirectories(folder);
                }
            } catch (IOException | RuntimeException e) {
                throw new StartupFailure("cannot make " + folder + " for JFR's repository (-XX:FlightRecorderOptions): "
                        + e.getMessage() + ". Fix: make it, or name another", e);
            }
        }
    }

    /**
     * This run's diagnostics folder ({@link DiagnosticFiles#withRunFolder}), made once, in
     * {@code ${java.io.tmpdir}/landlock-<user>}: a folder of this user's own, never one another
     * user made or a link to elsewhere, which the policy would then allow. Null, with a WARN, when
     * it cannot be made: the JVM then runs with HotSpot's defaults, which the policy may not allow.
     */
    private Path runFolder() {
        if (runFolder == null && !runFolderFailed) {
            Path parent = Path.of(System.getProperty("java.io.tmpdir"), "landlock-" + System.getProperty("user.name", "unknown"));
            try {
                boolean made = false;
                if (!Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        Files.createDirectory(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                        made = true;
                    } catch (java.nio.file.FileAlreadyExistsException raced) {
                        // made meanwhile, by another JVM of this user or by someone else: checked below
                    }
                }
                // By uid, not by owner name: a name lookup (getpwuid, NSS) costs the start about a millisecond.
                if (!made && (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS) || !Files.getAttribute(parent, "unix:uid",
                        LinkOption.NOFOLLOW_LINKS).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")))) {
                    throw new IOException(parent + " is not a folder of this user's own; remove it");
                }
                // Not Files.createTempDirectory: its SecureRandom costs every JVM ~10 ms at start.
                long unique = System.nanoTime();
                for (int attempt = 0; runFolder == null; attempt++) {
                    try {
                        runFolder = Files.createDirectory(parent.resolve("run-" + pid + "-" + Long.toHexString(unique + attempt)),
                                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    } catch (java.nio.file.FileAlreadyExistsException taken) {
                        if (attempt > 100) {
                            throw taken;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                runFolderFailed = true;
                String message = "cannot make this run's diagnostics folder in {} ({}): crash reports, heap dumps and JFR's"
                        + " repository stay at HotSpot's defaults, which the policy may not allow; name them with -XX:ErrorFile,"
                        + " -XX:HeapDumpPath and -XX:FlightRecorderOptions=repository=";
                if (e instanceof java.nio.file.FileSystemException) {
                    // no temporary folder to write in (a read-only container): nothing is wrong with this JVM
                    Logs.agent().debug(message, parent, e.getMessage());
                } else {
                    Logs.agent().warn(message, parent, e.getMessage()); // another user's folder: worth a look
                }
            }
        }
        return runFolder;
    }

    /**
     * Under {@code "jvm": "none"} the policy alone must allow the files the diagnostics flags
     * name: one it does not allow would fail in the JVM that runs {@code main} (HotSpot stops at
     * an -Xlog file it cannot open, and loses a heap dump or a crash report), so the JVM does not
     * start, and the message names the flag and the rule.
     */
    private static void refuseUnallowedDiagnostics(RulesetPlan plan, DiagnosticFiles diagnostics) throws StartupFailure {
        for (JvmBaseline.Entry e : diagnostics.entries()) {
            long missing = e.access() & plan.handledFs() & ~plan.grantedAt(e.path());
            if (missing != 0) {
                String flag = DiagnosticFiles.flag(e);
                throw new StartupFailure(flag + " needs " + AccessFs.names(missing) + " on " + e.path() + ", which the policy"
                        + " (\"jvm\": \"none\") does not allow. Fix: add to \"filesystem\": {\"path\": \"" + e.path()
                        + "\", \"allow\": " + AccessNames.exactList(e.access()) + "}, or \"jvm\": \"auto\"");
            }
        }
    }

    /** The option naming an archive to map that this JVM did not map, or null. */
    static String unmappedArchive(List<String> jvmOptions, boolean archiveMapped) {
        if (archiveMapped) {
            return null;
        }
        String named = null;
        for (String o : jvmOptions) {
            if (ReExec.maps(o)) {
                named = o;
            }
            if (o.startsWith("-Xshare:off") || o.equals("-XX:AOTMode=off")) {
                named = null; // the user turned it off
            }
        }
        return named;
    }

    /** Rights that would let the confined JVM change or replace a file (at it, or in its folder). */
    private static final long CHANGES_FILE = AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask();
    private static final long REPLACES_FILE = AccessFs.MAKE_REG.mask() | AccessFs.REMOVE_FILE.mask() | AccessFs.REFER.mask();

    /**
     * An AOT cache or CDS archive holds classes and compiled code that every later JVM naming it
     * maps and runs. If the confined JVM could write or replace it, one compromised run would plant
     * code in all the runs after it, outside any policy: the agent refuses to start instead (where
     * the policy confines writes at all). The cache is trained in a separate run, which may write it
     * (docs/performance.md, "AOT cache and CDS archives").
     */
    static void refuseWritableArchives(RulesetPlan plan, DiagnosticFiles diagnostics) throws StartupFailure {
        if ((plan.handledFs() & CHANGES_FILE) == 0) {
            return; // the policy leaves the filesystem unconfined: nothing here is promised
        }
        for (JvmBaseline.Entry e : diagnostics.mappedArchives()) {
            long writes = plan.grantedAt(e.path()) & CHANGES_FILE;
            Path folder = e.path().getParent();
            long replaces = folder == null ? 0 : plan.grantedAt(folder) & REPLACES_FILE;
            if ((writes | replaces) != 0) {
                String flag = DiagnosticFiles.flag(e);
                throw new StartupFailure(flag + ": the policy lets this JVM " + (writes != 0 ? "write " + e.path()
                        : "replace " + e.path() + " (" + AccessFs.names(replaces) + " on " + folder + ")")
                        + ", which later JVMs map and run as code. Fix: allow only \"read\" there, and train the"
                        + " cache in a separate run that may write it (docs/performance.md, \"AOT cache and CDS archives\")");
            }
        }
    }

    private Decision decide(LandlockAbi abi, Capabilities held) throws StartupFailure, PolicyException {
        KernelInfo kernel = new KernelInfo(abi);
        JvmFacts facts = loaded.facts();
        RulesetPlan plan = Planner.plan(loaded.policy(), kernel, facts);
        Mechanism mechanism = Mechanism.choose(System.getProperty(Mechanism.PROPERTY, "auto"), plan, held, executable,
                Path.of(System.getProperty("java.home")));
        DiagnosticFiles diagnostics = facts.diagnostics();
        if (loaded.policy().jvm() == Policy.JvmBaseline.NONE) {
            refuseUnallowedDiagnostics(plan, diagnostics);
        }
        // What the working directory allows (all, where the filesystem is unrestricted); the run's
        // diagnostics folder below adds nothing there.
        long cwdAccess = plan.grantedAt(Path.of(System.getProperty("user.dir"))) | ~plan.handledFs();
        if (loaded.policy().jvm() == Policy.JvmBaseline.AUTO && plan.handledFs() != 0) {
            boolean reExec = mechanism == Mechanism.REEXEC;
            if (diagnostics.needsRunFolder(cwdAccess, reExec)) {
                Path folder = runFolder();
                if (folder != null) {
                    diagnostics = diagnostics.withRunFolder(folder, cwdAccess, reExec);
                    plan = Planner.plan(loaded.policy(), kernel, facts.withDiagnostics(diagnostics));
                }
            }
        }
        refuseWritableArchives(plan, diagnostics);
        List<ReadOnlyView.Step> view = List.of();
        String metadataGap = null;
        if (plan.handledFs() != 0) {
            if (mechanism == Mechanism.REEXEC && held.mayMount()) {
                try {
                    view = ReadOnlyView.steps(ReadOnlyView.writablePaths(plan), ReadOnlyView.mounts());
                } catch (IOException e) {
                    throw new StartupFailure("cannot read this JVM's mounts from /proc/self/mountinfo: " + e, e);
                }
            } else {
                metadataGap = held.whyNoMountView(mechanism == Mechanism.REEXEC);
            }
        }
        String origin = loaded.document().origin();
        boolean archiveMapped = System.getProperty("java.vm.info", "").contains("sharing");
        List<String> warnings = new ArrayList<>(plan.warnings());
        String unmapped = unmappedArchive(jvmOptions, archiveMapped);
        if (unmapped != null) {
            warnings.add(unmapped + " did not map in the JVM that loaded the agent with -javaagent (HotSpot's lines above say"
                    + " why; an archive made without the agent lacks the java.instrument module it adds): that JVM started"
                    + " without it. Fix: train it with the agent on the command line (README, \"The AOT cache\")");
        }
        StartReport report = new StartReport(mechanism.label(), origin, plan.summary(metadataGap), warnings,
                loaded.document().digest());
        ConfinementProof proof = new ConfinementProof(pid, canary, generation, abi.version());
        ReExec.Request request = null;
        Marker marker;
        if (mechanism == Mechanism.REEXEC) {
            marker = new Marker(proof, env.movedFor(executable), report, loaded.policy().exit());
            boolean cwdListable = (cwdAccess & AccessFs.READ_DIR.mask()) != 0;
            List<String> added = new ArrayList<>(ReExec.perfDataOptions(jvmOptions, cwdListable));
            added.addAll(ReExec.aotLogOptions(jvmOptions));
            request = ReExec.prepare(cmd, executable, env, marker, added, diagnostics.options(), archiveMapped);
        } else {
            marker = new Marker(proof, MovedOptions.NONE, report, loaded.policy().exit());
        }
        List<SockFilter> seccomp = Confinement.seccompProgram(plan, Arch.current(), new SeccompFilter.Canary(canary));
        return new Decision(plan, mechanism, marker, request, seccomp, view);
    }

    /** Without a re-exec, what close-on-exec does there: {@link InheritedDescriptors}. */
    private void closeInheritedDescriptors(RulesetPlan plan, Syscalls sys) throws StartupFailure {
        int first = 3 + env.systemdListenFds(pid);
        InheritedDescriptors.replace(InheritedDescriptors.unwanted(InheritedDescriptors.open(), first, plan,
                jvmOptions), sys);
        Timing.mark("close inherited descriptors");
    }

    static KernelInfo probe(Syscalls sys) throws StartupFailure {
        try {
            return new KernelInfo(new Landlock(sys).abi());
        } catch (SyscallException e) {
            if ((e.is(Errno.EPERM) || e.is(Errno.ENOSYS)) && underSeccompFilter()) {
                throw new StartupFailure("Landlock is not available, so the policy cannot be enforced: " + e.syscall()
                        + " returned " + Errno.nameOf(e.errno()) + ", and this process runs under a seccomp filter that"
                        + " blocks the Landlock syscalls (a container engine's seccomp profile, or systemd's"
                        + " SystemCallFilter=). Fix: allow landlock_create_ruleset, landlock_add_rule and"
                        + " landlock_restrict_self there: Docker 23.0 and later allow them by default; for an older engine,"
                        + " run the container with --security-opt seccomp=deploy/seccomp-landlock.json", e);
            }
            throw new StartupFailure("Landlock is not available, so the policy cannot be enforced: " + e.meaning()
                    + " (" + e.syscall() + " returned " + Errno.nameOf(e.errno()) + ")", e);
        }
    }

    /**
     * Whether a seccomp filter was on this process before the agent ran ({@code Seccomp: 2} in
     * /proc/self/status): then EPERM or ENOSYS from Landlock is the filter's answer, not the kernel's.
     */
    static boolean underSeccompFilter() {
        try {
            return ProcStatus.self().number("Seccomp", 0) == 2; // SECCOMP_MODE_FILTER
        } catch (IOException e) {
            return false; // no /proc: say what the kernel's errno means
        }
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
}
