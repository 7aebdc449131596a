package dev.landlockagent.confine;

import dev.landlockagent.explain.AttachRefusal;
import dev.landlockagent.explain.ExplainContext;
import dev.landlockagent.instrument.JfrRepositoryDefault;
import dev.landlockagent.log.Logs;
import dev.landlockagent.plan.DiagnosticFiles;
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

    void run() throws ReflectiveOperationException, StartupFailure {
        ExitRules.install(inst, marker);
        dev.landlockagent.explain.DenialMetrics.publish(marker.report().origin(), marker.report().policyDigest());
        DenialExplanations.install(inst, new PlanAgain(agentArgument, agentJar, marker));
        Timing.mark("install instrumentation");
        Map<String, String> env = marker.moved().variables();
        if (!env.isEmpty()) {
            Startup.openJavaLang(inst);
            EnvironmentRestorer.restore(env);
        }
        Timing.mark("restore environment");
        String diagnostics = System.getProperty(DiagnosticFiles.RUN_FOLDER_PROPERTY);
        if (diagnostics != null) {
            keepDiagnostics(inst, Path.of(diagnostics));
        }
        Timing.mark("diagnostics folder");
        marker.announce();
        Timing.mark("log");
        watchAttach(marker.report().summary().attach(), marker.proof().pid(), marker.report().origin());
        Timing.mark("attach watch");
        Timing.print("re-executed JVM");
    }

    /**
     * This run's diagnostics folder, which {@link DiagnosticFiles#RUN_FOLDER_PROPERTY} names: JFR
     * keeps its default repository there, and it goes at exit when nothing was written to it.
     */
    static void keepDiagnostics(Instrumentation inst, Path folder) {
        Runtime.getRuntime().addShutdownHook(new RemoveIfEmpty(folder));
        JfrRepositoryDefault.install(inst, DiagnosticFiles.RUN_FOLDER_PROPERTY);
    }

    /**
     * Without {@code "attach": true}, says once that a tool asked to attach ({@link AttachRefusal}).
     * The watching thread itself reads whether the operator turned attach off, off the main thread.
     */
    static void watchAttach(boolean allowed, long pid, String origin) {
        if (!allowed) {
            AttachRefusal.start(pid, origin, AttachOff.INSTANCE);
        }
    }

    /** Whether the operator turned attach off ({@code -XX:+DisableAttachMechanism}), wherever the flag is. */
    static final class AttachOff implements java.util.function.BooleanSupplier {
        static final AttachOff INSTANCE = new AttachOff();

        @Override
        public boolean getAsBoolean() {
            try {
                for (String a : ThisJvm.commandLine().optionsInPrecedence(System.getenv("JAVA_TOOL_OPTIONS"),
                        System.getenv("JDK_JAVA_OPTIONS"), System.getenv("_JAVA_OPTIONS"))) {
                    if (a.equals("-XX:+DisableAttachMechanism")) {
                        return true;
                    }
                }
                return false;
            } catch (StartupFailure e) {
                return true; // no /proc: nothing to say
            }
        }
    }

    /**
     * Removes this run's diagnostics folder at exit when nothing was written to it; a crash report
     * or a heap dump keeps it, and a crash that kills the JVM outright leaves it as it is.
     */
    static final class RemoveIfEmpty extends Thread {
        private final Path folder;

        RemoveIfEmpty(Path folder) {
            super("landlock-agent diagnostics folder");
            this.folder = folder;
        }

        /** The name JFR gives its shutdown hook ({@code jdk.jfr.internal.ShutdownHook}). */
        static final String JFR_HOOK = "JFR Shutdown Hook";

        /**
         * JFR's own shutdown hook, started with this one, dumps its recordings and then empties its
         * repository folder in this one: join it first (bounded, as a dump of a large recording may
         * take a while), then, while only folders are left, wait for at most two more seconds.
         */
        @Override
        public void run() {
            awaitJfrHook(10_000);
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (true) {
                try {
                    java.nio.file.Files.deleteIfExists(folder);
                    return;
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    if (!onlyFolders() || System.nanoTime() > deadline) {
                        return; // a crash report or a heap dump: the operator's to read
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException stop) {
                        return;
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    return;
                }
            }
        }

        private static void awaitJfrHook(long millis) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (JFR_HOOK.equals(t.getName()) && t != Thread.currentThread()) {
                    try {
                        t.join(millis);
                    } catch (InterruptedException stop) {
                        Thread.currentThread().interrupt();
                    }
                    return;
                }
            }
        }

        private boolean onlyFolders() {
            try (java.nio.file.DirectoryStream<Path> entries = java.nio.file.Files.newDirectoryStream(folder)) {
                for (Path p : entries) {
                    if (!java.nio.file.Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        return false;
                    }
                }
                return true;
            } catch (java.io.IOException | RuntimeException e) {
                return false;
            }
        }
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
