package dev.landlockagent.learn;

import dev.landlockagent.linux.ProcStatus;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.linux.Syscalls;
import dev.landlockagent.seccomp.LearnFilter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The JVM side of a learn run. It starts the supervisor (a second, small JVM, this jar's
 * {@code learn.Supervisor}) before any filter exists, names it as its ptracer, installs a seccomp
 * filter with a user-notification listener on every thread at once (TSYNC) and hands the
 * listener over; from then on every syscall a policy would judge, of every thread of this JVM and
 * of every process it starts, waits until the supervisor has recorded it and lets it go on.
 * Nothing is denied. This JVM answers the supervisor's questions about which Java code a thread
 * runs, and at its end waits until the supervisor has written the policy.
 */
public final class LearnRun {
    /** Landlock rights on a path that the JVM baseline already grants. */
    public record Grant(Path path, long access) {
    }

    /** What the supervisor must know: where to write, the baseline, the substitutions, the kernel's ABI. */
    public record Setup(LearnArgument argument, Path javaHome, Path agentJar, List<Grant> baseline,
                        Map<String, Path> substitutions, int abi) {
    }

    /**
     * Set once this JVM is recorded: the supervisor's pid. A copy of the agent bundled in the
     * application's jar ({@code Launcher-Agent-Class}) reads it to stand down ({@link #recordsThisJvm}).
     */
    public static final String SUPERVISOR_PROPERTY = "landlock.learn.supervisor";
    private static final String SUPERVISOR_MAIN = "dev.landlockagent.launch.ToolEntry learn-supervisor";
    private static final long EXIT_WAIT_SECONDS = 20;

    private final Setup setup;
    private final Syscalls sys;
    private Process supervisor;
    private PrintStream toSupervisor;
    private final CountDownLatch written = new CountDownLatch(1);

    public LearnRun(Setup setup, Syscalls sys) {
        this.setup = setup;
        this.sys = sys;
    }

    /** Starts recording. Throws when the run cannot record; then nothing has changed in this JVM. */
    public void start(long pid) throws IOException, SyscallException, InterruptedException {
        supervisor = startSupervisor();
        toSupervisor = new PrintStream(supervisor.getOutputStream(), false, StandardCharsets.UTF_8);
        BufferedReader fromSupervisor = new BufferedReader(new InputStreamReader(supervisor.getInputStream(), StandardCharsets.UTF_8));
        sendSetup(pid);
        try {
            sys.setPtracer(supervisor.pid());
        } catch (SyscallException e) {
            // no Yama (EINVAL): ptrace access follows the usual rules, and the supervisor is this user's
        }
        try {
            ThreadStacks.dump(); // loads the thread dump's classes now, while nothing waits for it
        } catch (Exception e) {
            // attribution falls back to thread names
        }
        int listener;
        try {
            listener = sys.seccompListener(LearnFilter.program(sys.arch()));
        } catch (SyscallException e) {
            if (!e.is(dev.landlockagent.linux.Errno.EACCES)) {
                supervisor.destroyForcibly();
                throw e;
            }
            // no CAP_SYS_ADMIN: a filter needs no_new_privs (setuid programs it starts run without their privileges)
            sys.setNoNewPrivs();
            listener = sys.seccompListener(LearnFilter.program(sys.arch()));
        }
        toSupervisor.println("listener\t" + listener);
        toSupervisor.flush();
        String ready = fromSupervisor.readLine();
        sys.close(listener);
        if (!"ready".equals(ready)) {
            throw new IOException("the learn supervisor did not start" + (ready == null ? "" : ": " + ready));
        }
        Thread answers = new Thread(() -> answer(fromSupervisor), "landlock-agent-learn");
        answers.setDaemon(true);
        answers.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::finish, "landlock-agent-learn-exit"));
        System.setProperty(SUPERVISOR_PROPERTY, Long.toString(supervisor.pid()));
    }

    /**
     * Whether a learn run records this JVM (process {@code pid}), as {@link #SUPERVISOR_PROPERTY}
     * says and the kernel confirms: the named process is this one's child and runs the supervisor,
     * and this process has a seccomp filter. A property set on the command line without a learn run
     * confirms nothing, and the application's own code runs only after the agents it could fool.
     */
    public static boolean recordsThisJvm(long pid) {
        String value = System.getProperty(SUPERVISOR_PROPERTY);
        if (value == null) {
            return false;
        }
        long supervisorPid;
        try {
            supervisorPid = Long.parseLong(value);
        } catch (NumberFormatException e) {
            return false;
        }
        return supervisorPid > 0 && Tracee.parent(supervisorPid) == pid
                && Tracee.commandLine(supervisorPid).endsWith(SUPERVISOR_MAIN) && filtered();
    }

    private static boolean filtered() {
        try {
            return ProcStatus.self().number("Seccomp", 0) == 2; // SECCOMP_MODE_FILTER
        } catch (IOException e) {
            return false; // no /proc: not confirmed
        }
    }

    private Process startSupervisor() throws IOException {
        List<String> command = new ArrayList<>(List.of(
                setup.javaHome().resolve("bin/java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xss512k", "-Xmx128m",
                "--enable-native-access=ALL-UNNAMED",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Duser.home=" + System.getProperty("user.home"),
                "-cp", setup.agentJar().toString()));
        command.addAll(List.of(SUPERVISOR_MAIN.split(" ")));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        pb.environment().remove("CLASSPATH");
        return pb.start();
    }

    private void sendSetup(long pid) {
        PrintStream out = toSupervisor;
        out.println("pid\t" + pid);
        out.println("mode\t" + setup.argument().mode());
        out.println("policy\t" + setup.argument().policy());
        out.println("report\t" + setup.argument().report());
        out.println("interval\t" + setup.argument().interval().toMillis());
        out.println("abi\t" + setup.abi());
        out.println("java.home\t" + setup.javaHome());
        for (Map.Entry<String, Path> s : setup.substitutions().entrySet()) {
            out.println("substitute\t" + s.getKey() + "\t" + s.getValue());
        }
        for (Grant g : setup.baseline()) {
            out.println("baseline\t" + g.access() + "\t" + g.path());
        }
        out.flush();
    }

    /** Answers the supervisor's questions until it goes; a supervisor that ends early ends this JVM. */
    private void answer(BufferedReader in) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split("\t");
                switch (f[0]) {
                    case "T", "P" -> {
                        ThreadStacks.Frame frame = null;
                        try {
                            String dump = ThreadStacks.dump();
                            frame = f[0].equals("T") ? ThreadStacks.of(dump, Long.parseLong(f[2])) : ThreadStacks.spawning(dump);
                        } catch (Exception e) {
                            // no answer: the supervisor names the thread
                        }
                        toSupervisor.println("A\t" + f[1] + "\t" + (frame == null ? "" : frame.thread()) + "\t"
                                + (frame == null || frame.code() == null ? "" : frame.code()) + "\t"
                                + (frame != null && frame.nativeMethodOnTop()));
                        toSupervisor.flush();
                    }
                    case "written" -> written.countDown();
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            // the supervisor went
        }
        written.countDown();
        if (!Thread.currentThread().isInterrupted() && supervisor.isAlive() == false && !exiting) {
            System.err.println("landlock-agent: learn: the supervisor ended (exit status " + exitValue()
                    + "); this JVM's file and socket syscalls would now fail, so it stops");
            Runtime.getRuntime().halt(78);
        }
    }

    private volatile boolean exiting;

    private String exitValue() {
        try {
            supervisor.waitFor(1, TimeUnit.SECONDS);
            return Integer.toString(supervisor.exitValue());
        } catch (InterruptedException | IllegalThreadStateException e) {
            return "unknown";
        }
    }

    /** At the JVM's end: the supervisor writes what it saw, and this waits until it has. */
    private void finish() {
        exiting = true;
        try {
            toSupervisor.println("exit");
            toSupervisor.flush();
            written.await(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The line that says, loudly, that this JVM runs unconfined. */
    public static String banner(LearnArgument a) {
        return "landlock-agent: LEARN RUN: this JVM is NOT confined. Recording what it and every process it starts do,"
                + " into " + a.policy() + " (report: " + a.report() + "). Do not run it on untrusted input.";
    }
}
