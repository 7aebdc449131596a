package dev.landlockagent.learn;

import dev.landlockagent.linux.SeccompNotifications;
import dev.landlockagent.linux.SyscallException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The supervisor of a learn run: a process of its own, started by the learning JVM before its
 * filter existed, so that none of its own syscalls waits for itself. It takes the filter's
 * listener from the JVM ({@code pidfd_getfd}), and for each syscall that waits: reads what it
 * names ({@link SyscallDecoder}), asks the JVM which Java code runs on that thread when the need
 * is new, records it ({@link Recording}) and lets the syscall continue. It writes the policy and
 * its report ({@link LearnedPolicy}) when the JVM ends, at the interval, and once more when the
 * last process of the run (children included) has ended: so a JVM killed with SIGKILL still gets
 * its policy. It ignores SIGINT, SIGTERM and SIGHUP, which a terminal sends to the whole group.
 */
public final class Supervisor implements Consumer<String[]> {
    private static final long ANSWER_MILLIS = 500;

    static {
        if (Supervisor.class.getClassLoader() instanceof Consumer<?> loader) {
            @SuppressWarnings("unchecked")
            Consumer<Object> handOver = (Consumer<Object>) loader;
            handOver.accept(new Supervisor());
        }
    }

    private final Recording recording = new Recording();
    /** The threads seen, with their open memory and process: a thread id is not reused while it lives. */
    private final Map<Integer, Tracee> tracees = new HashMap<>();
    private final Map<Long, String[]> answers = new HashMap<>();
    private final PrintStream toJvm = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    private LearnedPolicy.Context context;
    private long jvmPid;
    private Path javaHome;
    private long nextQuestion;
    private long writtenAt = -1;
    private boolean jvmEnded;
    private boolean told;
    private long missed;
    /** The policy file as it was when the run started, or null. */
    private byte[] original;

    @Override
    public void accept(String[] args) {
        for (String signal : List.of("INT", "TERM", "HUP")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), sun.misc.SignalHandler.SIG_IGN);
            } catch (IllegalArgumentException e) {
                // not a signal here
            }
        }
        try {
            System.exit(run());
        } catch (Throwable t) {
            System.err.println("landlock-agent: learn: the supervisor failed: " + t);
            if (Boolean.getBoolean("landlock.debug")) {
                t.printStackTrace();
            }
            System.exit(70);
        }
    }

    private int run() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Map<String, String> setup = new LinkedHashMap<>();
        Map<String, Path> substitutions = new LinkedHashMap<>();
        List<LearnRun.Grant> baseline = new ArrayList<>();
        int listenerInJvm = -1;
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split("\t", 3);
            if (f[0].equals("listener")) {
                listenerInJvm = Integer.parseInt(f[1]);
                break;
            }
            switch (f[0]) {
                case "substitute" -> substitutions.put(f[1], Path.of(f[2]));
                case "baseline" -> baseline.add(new LearnRun.Grant(Path.of(f[2]), Long.parseLong(f[1])));
                default -> setup.put(f[0], f[1]);
            }
        }
        if (listenerInJvm < 0) {
            return 0; // the JVM gave up before its filter
        }
        jvmPid = Long.parseLong(setup.get("pid"));
        javaHome = Path.of(setup.get("java.home"));
        LearnArgument argument = new LearnArgument(LearnArgument.Mode.LEARN, Path.of(setup.get("policy")),
                java.time.Duration.ofMillis(Long.parseLong(setup.get("interval"))));
        original = java.nio.file.Files.exists(argument.policy()) ? java.nio.file.Files.readAllBytes(argument.policy()) : null;
        context = new LearnedPolicy.Context(argument, baseline, substitutions, Integer.parseInt(setup.get("abi")), jvmPid);

        SeccompNotifications notifications = SeccompNotifications.link();
        int listener;
        try {
            listener = notifications.pidfdGetfd(notifications.pidfdOpen(jvmPid), listenerInJvm);
        } catch (SyscallException e) {
            toJvm.println("cannot take the listener from the JVM: " + e.getMessage()
                    + " (the supervisor needs ptrace access to it: the same user, and Yama's ptrace_scope at most 1)");
            toJvm.flush();
            return 71;
        }
        toJvm.println("ready");
        toJvm.flush();
        startReader(in);
        startInterval(argument.interval().toMillis());

        SyscallDecoder decoder = new SyscallDecoder(notifications.arch(), notifications);
        while (true) {
            boolean ready;
            try {
                ready = notifications.await(listener, 1000);
            } catch (SeccompNotifications.Closed closed) {
                break;
            }
            if (!ready) {
                continue;
            }
            SeccompNotifications.Notification n;
            try {
                n = notifications.receive(listener);
            } catch (SyscallException e) {
                continue; // ENOENT: the thread ended before it was read
            }
            Tracee t = tracees.computeIfAbsent(n.tid(), Tracee::new);
            try {
                long tgid = t.tgid();
                List<Need> needs = decoder.decode(t, tgid, n.auditArch(), n.nr(), n.args());
                List<Need> fresh = new ArrayList<>();
                for (Need need : needs) {
                    if (recording.isNew(need)) {
                        fresh.add(need);
                    }
                }
                if (!fresh.isEmpty()) {
                    Recording.Origin origin = attribute(t, tgid);
                    for (Need need : fresh) {
                        recording.add(need, origin);
                    }
                }
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    missed++;
                }
            } finally {
                notifications.proceed(listener, n.id());
            }
            if (decoder.name(n.nr()) != null && decoder.name(n.nr()).startsWith("exec")) {
                t.close(); // a new program: a new address space, and maybe a new thread id for the process
                tracees.remove(n.tid());
            }
            if (tracees.size() > 4096) {
                tracees.values().forEach(Tracee::close);
                tracees.clear();
            }
        }
        synchronized (this) {
            if (recording.changes() != writtenAt || !told) {
                write(!told);
            }
        }
        return 0;
    }

    /** The first code that needed what thread {@code t} waits for. */
    private Recording.Origin attribute(Tracee t, long tgid) {
        if (tgid == jvmPid) {
            String[] a = ask("T\t%d\t" + t.tid());
            String thread = a != null && !a[2].isEmpty() ? a[2] : t.threadName();
            String code = a == null ? "" : a[3];
            boolean nativeTop = a != null && Boolean.parseBoolean(a[4]);
            if (nativeTop || code.isEmpty()) {
                String library = t.nativeLibrary(javaHome);
                if (library != null) {
                    return new Recording.Origin("native code in " + library + (code.isEmpty() ? "" : ", called from " + code), thread);
                }
            }
            return new Recording.Origin(code.isEmpty() ? "the JVM" : code, thread);
        }
        Path exe = Tracee.executable(tgid);
        String exeName = exe == null ? "" : exe.getFileName().toString();
        if (exeName.equals("jspawnhelper") || (exe != null && exe.startsWith(javaHome) && Tracee.parent(tgid) == jvmPid)) {
            String[] a = ask("P\t%d");
            if (a != null && !a[3].isEmpty()) {
                return new Recording.Origin(a[3] + ", starting a process", a[2]);
            }
        }
        return new Recording.Origin("child process `" + Tracee.commandLine(tgid) + "`, pid " + tgid, "");
    }

    /** Asks the JVM a question and waits a little for the answer; null without one (the JVM is busy or ended). */
    private String[] ask(String question) {
        long id;
        synchronized (answers) {
            if (jvmEnded) {
                return null;
            }
            id = ++nextQuestion;
        }
        synchronized (toJvm) {
            toJvm.println(String.format(question, id));
            toJvm.flush();
        }
        long deadline = System.currentTimeMillis() + ANSWER_MILLIS;
        synchronized (answers) {
            while (!answers.containsKey(id)) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0 || jvmEnded) {
                    return null;
                }
                try {
                    answers.wait(left);
                } catch (InterruptedException e) {
                    return null;
                }
            }
            return answers.remove(id);
        }
    }

    private void startReader(BufferedReader in) {
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("A\t")) {
                        String[] f = line.split("\t", -1);
                        synchronized (answers) {
                            answers.put(Long.parseLong(f[1]), f.length >= 5 ? f : null);
                            answers.notifyAll();
                        }
                    } else if (line.equals("exit")) {
                        synchronized (this) {
                            write(true);
                        }
                        synchronized (toJvm) {
                            toJvm.println("written");
                            toJvm.flush();
                        }
                    }
                }
            } catch (IOException e) {
                // the JVM ended
            }
            synchronized (answers) {
                jvmEnded = true;
                answers.notifyAll();
            }
        }, "jvm-answers");
        reader.setDaemon(true);
        reader.start();
    }

    private void startInterval(long millis) {
        if (millis <= 0) {
            return;
        }
        Thread timer = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (this) {
                    if (recording.changes() != writtenAt) {
                        write(false);
                    }
                }
            }
        }, "interval");
        timer.setDaemon(true);
        timer.start();
    }

    /** Writes the policy and the report; {@code tell}: print what changed on stderr. */
    private void write(boolean tell) {
        try {
            LearnedPolicy.Result r = LearnedPolicy.write(recording.snapshot(), context, original, missed);
            writtenAt = recording.changes();
            if (tell) {
                told = true;
                for (String l : r.summary()) {
                    System.err.println("landlock-agent: learn: " + l);
                }
                System.err.flush();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("landlock-agent: learn: cannot write " + context.argument().policy() + ": " + e);
            if (Boolean.getBoolean("landlock.debug")) {
                e.printStackTrace();
            }
        }
    }
}
