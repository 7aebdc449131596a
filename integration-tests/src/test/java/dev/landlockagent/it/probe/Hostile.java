package dev.landlockagent.it.probe;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * A hostile program for the escape suite: it tries every way out of its sandbox it knows and
 * prints one line per attempt, {@code ATTEMPT <thread> <name> BLOCKED <why>} or
 * {@code ATTEMPT <thread> <name> ESCAPED <what it got>}, then {@code DONE}. An attempt that cannot
 * be enforced on this kernel (pathname UNIX sockets before Landlock ABI 9) is reported as
 * {@code LIMIT}. Configuration, as system properties set by EscapeSuiteTest: {@code secret} (a
 * file outside the policy whose content must never be read), {@code outside} (a folder outside
 * the policy), {@code writable} (a folder the narrow policy may write; absent under deny-all),
 * {@code tcp.outside} (a listening port outside the policy), {@code tcp.bind.denied} (a port the
 * policy may not bind), {@code unix.outside} (a pathname UNIX socket listened on outside),
 * {@code abstract.outside} (an abstract UNIX socket name listened on outside), {@code ppid}
 * (the test JVM), {@code inherited.fd} (a descriptor of the secret the launcher left open),
 * {@code abi} (the kernel's Landlock ABI), {@code signal.hook} (SIGTERM or SIGINT: wait for it and
 * attempt again from the shutdown hook), {@code sections} (a comma list of files, proc, native,
 * processes, sockets, inbound, agent, privileged, threads: the sections to run, all by default; threads
 * runs the core attempts from every other kind of thread), and {@link Privileged}'s and {@link Inbound}'s own.
 */
public final class Hostile {
    private static final boolean X86 = System.getProperty("os.arch").equals("amd64");
    private static final long NR_IOCTL = X86 ? 16 : 29;
    static final long NR_CONNECT = X86 ? 42 : 203;
    static final long NR_BIND = X86 ? 49 : 200;
    private static final long NR_KILL = X86 ? 62 : 129;
    private static final long NR_PTRACE = X86 ? 101 : 117;

    private static final Path SECRET = Path.of(System.getProperty("secret"));
    private static final Path OUTSIDE = Path.of(System.getProperty("outside"));
    private static final String WRITABLE = System.getProperty("writable");
    private static final int TCP_OUTSIDE = Integer.getInteger("tcp.outside", 1);
    private static final int TCP_BIND_DENIED = Integer.getInteger("tcp.bind.denied", 1);
    private static final int ABI = Integer.getInteger("abi", 0);
    private static String secretText;

    private Hostile() {
    }

    /** What got through, as a short description; an exception means the attempt was blocked. */
    interface Attempt {
        String run() throws Throwable;
    }

    /** An attempt that returned normally but achieved nothing. */
    static final class Blocked extends Exception {
        Blocked(String why) {
            super(why);
        }
    }

    public static void main(String[] args) throws Throwable {
        secretText = "not for the sandbox";
        if (Boolean.getBoolean("hook.only")) {
            waitForSignal();
            return;
        }
        List<String> sections = List.of(System.getProperty("sections", "files,proc,native,processes,sockets,inbound,agent,privileged,threads")
                .split(","));
        if (sections.contains("files")) {
            files("main");
        }
        if (sections.contains("proc")) {
            proc("main");
        }
        if (sections.contains("native")) {
            nativeCode("main");
        }
        if (sections.contains("processes")) {
            processes("main");
        }
        if (sections.contains("sockets")) {
            sockets("main");
        }
        if (sections.contains("inbound")) {
            Inbound.run("main", secretText);
        }
        if (sections.contains("agent")) {
            agent("main");
        }
        if (sections.contains("privileged")) {
            Privileged.run("main");
            Privileged.childCapabilities("main");
            inheritedDescriptor("main");
        }
        if (sections.contains("threads")) {
            threads();
        }
        waitForSignal();
        System.out.println("DONE");
    }

    /** With -Dsignal.hook=SIGTERM or SIGINT: attempt again from a shutdown hook when it comes. */
    private static void waitForSignal() throws InterruptedException {
        String hook = System.getProperty("signal.hook");
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                core("shutdown-hook-" + hook);
                System.out.println("DONE");
                System.out.flush();
            }, "hostile-hook"));
            System.out.println("READY " + ProcessHandle.current().pid());
            System.out.flush();
            Thread.sleep(120_000);
        }
    }

    // ------------------------------------------------------------------------------ reporting

    static synchronized void attempt(String thread, String name, Attempt a) {
        String line;
        try {
            String got = a.run();
            line = "ESCAPED " + got;
        } catch (Throwable t) {
            line = "BLOCKED " + (t instanceof Blocked ? t.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage());
        }
        System.out.println("ATTEMPT " + thread + " " + name.replace(' ', '-') + " " + line.replace('\n', ' '));
        System.out.flush();
    }

    /** Something the policy allows that must keep working: {@code WORKS} or {@code BROKEN}. */
    static synchronized void works(String thread, String name, Attempt a) {
        String line;
        try {
            line = "WORKS " + a.run();
        } catch (Throwable t) {
            line = "BROKEN " + t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        System.out.println("ATTEMPT " + thread + " " + name.replace(' ', '-') + " " + line.replace('\n', ' '));
        System.out.flush();
    }

    static synchronized void limit(String thread, String name, String why) {
        System.out.println("ATTEMPT " + thread + " " + name.replace(' ', '-') + " LIMIT " + why);
        System.out.flush();
    }

    private static String readSecret(Path p) throws IOException, Blocked {
        String s = Files.readString(p);
        if (!s.contains(secretText)) {
            throw new Blocked("read something else: " + s.length() + " chars");
        }
        return "read the secret through " + p;
    }

    private static String errno(long r, String what) throws Blocked {
        if (r < 0) {
            throw new Blocked(what + ": errno " + (-r));
        }
        return what + " returned " + r;
    }

    // ------------------------------------------------------------------------------ files

    static void files(String t) {
        attempt(t, "read secret", () -> readSecret(SECRET));
        attempt(t, "list outside folder", () -> "listed " + Files.list(OUTSIDE).count() + " entries");
        attempt(t, "overwrite outside file", () -> {
            Files.writeString(OUTSIDE.resolve("existing.txt"), "overwritten");
            return "overwrote " + OUTSIDE.resolve("existing.txt");
        });
        attempt(t, "create outside file", () -> {
            Files.writeString(OUTSIDE.resolve("created-" + t + ".txt"), "created");
            return "created a file in " + OUTSIDE;
        });
        attempt(t, "delete outside file", () -> {
            Files.delete(OUTSIDE.resolve("delete-me.txt"));
            return "deleted " + OUTSIDE.resolve("delete-me.txt");
        });
        attempt(t, "rename inside outside folder", () -> {
            Files.move(OUTSIDE.resolve("existing.txt"), OUTSIDE.resolve("renamed.txt"));
            return "renamed a file in " + OUTSIDE;
        });
        attempt(t, "truncate outside file", () -> {
            try (RandomAccessFile f = new RandomAccessFile(OUTSIDE.resolve("existing.txt").toFile(), "rw")) {
                f.setLength(0);
            }
            return "truncated " + OUTSIDE.resolve("existing.txt");
        });
        attempt(t, "make folder outside", () -> {
            Files.createDirectory(OUTSIDE.resolve("dir-" + t));
            return "made a folder in " + OUTSIDE;
        });
        attempt(t, "symlink outside", () -> {
            Files.createSymbolicLink(OUTSIDE.resolve("link-" + t), SECRET);
            return "made a symbolic link in " + OUTSIDE;
        });
        attempt(t, "native open secret", () -> {
            int fd = NativeCalls.open(SECRET.toString(), 0);
            if (fd < 0) {
                throw new Blocked("open: errno " + (-fd));
            }
            String got = new String(NativeCalls.read(fd, 4096), StandardCharsets.UTF_8);
            NativeCalls.close(fd);
            return got.contains(secretText) ? "read the secret with open(2) through FFM" : "opened it";
        });
        attempt(t, "ioctl on a device outside", () -> {
            int fd = NativeCalls.open("/dev/tty", 0);
            if (fd < 0) {
                throw new Blocked("open /dev/tty: errno " + (-fd));
            }
            long r = NativeCalls.syscall(NR_IOCTL, fd, 0x5401, 0, 0); // TCGETS
            NativeCalls.close(fd);
            return errno(r, "ioctl TCGETS on /dev/tty");
        });
        if (WRITABLE != null) {
            Path w = Path.of(WRITABLE);
            attempt(t, "symlink follow", () -> {
                Path link = w.resolve("follow-" + t);
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, SECRET);
                return readSecret(link);
            });
            attempt(t, "hard link secret in", () -> {
                Path link = w.resolve("hardlink-" + t);
                Files.createLink(link, SECRET);
                return readSecret(link);
            });
            attempt(t, "rename secret in", () -> {
                Path moved = w.resolve("moved-" + t);
                Files.move(SECRET, moved, StandardCopyOption.ATOMIC_MOVE);
                return readSecret(moved);
            });
            attempt(t, "rename writable file out", () -> {
                Path mine = Files.writeString(w.resolve("mine-" + t + ".txt"), "mine");
                Files.move(mine, OUTSIDE.resolve("moved-out-" + t + ".txt"), StandardCopyOption.ATOMIC_MOVE);
                return "moved a file out to " + OUTSIDE;
            });
        }
    }

    static void proc(String t) {
        long ppid = Long.getLong("ppid", 1);
        attempt(t, "read parent environ", () -> "read " + Files.readAllBytes(Path.of("/proc/" + ppid + "/environ")).length
                + " bytes of /proc/" + ppid + "/environ");
        attempt(t, "read parent mem", () -> {
            try (RandomAccessFile f = new RandomAccessFile("/proc/" + ppid + "/mem", "r")) {
                return "opened /proc/" + ppid + "/mem (" + f.length() + ")";
            }
        });
        attempt(t, "read through proc 1 root", () -> readSecret(Path.of("/proc/1/root" + SECRET)));
        attempt(t, "list proc 1 root", () -> "listed " + Files.list(Path.of("/proc/1/root/")).count() + " entries");
    }

    // ------------------------------------------------------------------------------ native code

    static void nativeCode(String t) {
        attempt(t, "native socket raw", () -> errno(NativeCalls.socket(2, 3, 1), "socket(AF_INET, SOCK_RAW, ICMP)"));
        attempt(t, "native connect outside port", () -> {
            int fd = NativeCalls.socket(2, 1, 6);
            if (fd < 0) {
                throw new Blocked("socket: errno " + (-fd));
            }
            long r = NativeCalls.sockaddrCall(NR_CONNECT, fd, sockaddrIn(TCP_OUTSIDE));
            NativeCalls.close(fd);
            return errno(r, "connect to 127.0.0.1:" + TCP_OUTSIDE);
        });
        attempt(t, "native bind denied port", () -> {
            int fd = NativeCalls.socket(2, 1, 6);
            if (fd < 0) {
                throw new Blocked("socket: errno " + (-fd));
            }
            long r = NativeCalls.sockaddrCall(NR_BIND, fd, sockaddrIn(TCP_BIND_DENIED));
            NativeCalls.close(fd);
            return errno(r, "bind port " + TCP_BIND_DENIED);
        });
        if (X86) {
            attempt(t, "x32 abi socket", () -> errno(NativeCalls.x32Socket(2, 3, 1), "x32 socket(AF_INET, SOCK_RAW)"));
            attempt(t, "i386 abi socket", () -> errno(NativeCalls.i386Socket(2, 3, 1), "int 0x80 socket(AF_INET, SOCK_RAW)"));
            attempt(t, "i386 socketcall", () -> errno(NativeCalls.i386Socketcall(2, 3, 1), "int 0x80 socketcall(SOCKET)"));
        }
        attempt(t, "io_uring setup", () -> errno(NativeCalls.ioUringSetup(), "io_uring_setup"));
    }

    /** struct sockaddr_in for 127.0.0.1:port. */
    private static byte[] sockaddrIn(int port) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 2);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port);
        b.put(new byte[] {127, 0, 0, 1});
        return b.array();
    }


    // ------------------------------------------------------------------------------ processes

    static void processes(String t) {
        String secret = SECRET.toString();
        attempt(t, "child sh cat", () -> child("/bin/sh", "-c", "cat " + secret));
        attempt(t, "child cat", () -> child("cat", secret));
        attempt(t, "child python3", () -> child("python3", "-c", "print(open('" + secret + "').read())"));
        attempt(t, "child setuid su", () -> child("su", "root", "-c", "cat " + secret));
        attempt(t, "child without no_new_privs", () -> {
            // prctl(PR_GET_NO_NEW_PRIVS) in a child: 1 means a setuid binary gains nothing.
            String out = childOutput("python3", "-c", "import ctypes; print('nnp', ctypes.CDLL(None).prctl(39, 0, 0, 0, 0))");
            if (out.contains("nnp 1")) {
                throw new Blocked("the child runs with no_new_privs set");
            }
            if (out.contains("nnp 0")) {
                return "the child runs without no_new_privs";
            }
            throw new Blocked("python3 did not run: " + out.strip().replace('\n', ' '));
        });
        long ppid = Long.getLong("ppid", 1);
        attempt(t, "ptrace parent", () -> {
            long r = NativeCalls.syscall(NR_PTRACE, 16 /* PTRACE_ATTACH */, ppid, 0, 0);
            if (r == 0) {
                NativeCalls.syscall(NR_PTRACE, 17 /* PTRACE_DETACH */, ppid, 0, 0);
            }
            return errno(r, "ptrace(PTRACE_ATTACH, " + ppid + ")");
        });
        // Signal 0: the permission check of kill(2) without a signal, so an escape harms nothing.
        attempt(t, "signal parent", () -> errno(NativeCalls.syscall(NR_KILL, ppid, 0, 0, 0), "kill(" + ppid + ", 0)"));
        attempt(t, "signal init", () -> errno(NativeCalls.syscall(NR_KILL, 1, 0, 0, 0), "kill(1, 0)"));
    }

    private static String child(String... command) throws Throwable {
        String out = childOutput(command);
        if (out.contains(secretText)) {
            return String.join(" ", command) + " printed the secret";
        }
        throw new Blocked(String.join(" ", command) + ": " + out.strip().replace('\n', ' '));
    }

    private static String childOutput(String... command) throws Throwable {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return "exit " + p.exitValue() + ": " + out;
    }

    // ------------------------------------------------------------------------------ sockets

    static void sockets(String t) {
        int[] types = {1, 2, 3, 5, 4}; // STREAM, DGRAM, RAW, SEQPACKET, RDM
        List<String> created = new ArrayList<>();
        int tried = 0;
        for (int domain = 0; domain < 46; domain++) {
            for (int type : types) {
                if (allowedByNarrowPolicy(domain, type)) {
                    continue;
                }
                tried++;
                try {
                    int fd = NativeCalls.socket(domain, type, 0);
                    if (fd >= 0) {
                        created.add(domain + "/" + type);
                        NativeCalls.close(fd);
                    }
                } catch (Throwable e) {
                    // counted as blocked
                }
            }
        }
        int total = tried;
        attempt(t, "every family and type", () -> {
            if (created.isEmpty()) {
                throw new Blocked("none of " + total + " (domain, type) pairs outside the policy could be created");
            }
            return "created " + created;
        });
        attempt(t, "mptcp under tcp rules", () -> errno(NativeCalls.socket(2, 1, 262), "socket(AF_INET, SOCK_STREAM, MPTCP)"));
        attempt(t, "sctp under tcp rules", () -> errno(NativeCalls.socket(2, 1, 132), "socket(AF_INET, SOCK_STREAM, SCTP)"));
        attempt(t, "smc under tcp rules", () -> errno(NativeCalls.socket(43, 1, 0), "socket(AF_SMC, SOCK_STREAM)"));
        attempt(t, "socketpair dgram", () -> errno(NativeCalls.socketpair(1, 2, 0), "socketpair(AF_UNIX, SOCK_DGRAM)"));
        attempt(t, "socketpair seqpacket", () -> errno(NativeCalls.socketpair(1, 5, 0), "socketpair(AF_UNIX, SOCK_SEQPACKET)"));
        attempt(t, "java connect outside port", () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", TCP_OUTSIDE), 3000);
                return "connected to " + TCP_OUTSIDE;
            }
        });
        attempt(t, "java bind denied port", () -> {
            try (ServerSocket s = new ServerSocket(TCP_BIND_DENIED)) {
                return "listening on " + s.getLocalPort();
            }
        });
        attempt(t, "udp send", () -> {
            try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
                byte[] d = "x".getBytes(StandardCharsets.US_ASCII);
                s.send(new java.net.DatagramPacket(d, 1, new InetSocketAddress("127.0.0.1", TCP_OUTSIDE)));
                return "sent a UDP datagram";
            }
        });
        String abstractName = System.getProperty("abstract.outside");
        if (abstractName != null) {
            attempt(t, "abstract unix to outside listener", () -> {
                int fd = NativeCalls.socket(1, 1, 0);
                if (fd < 0) {
                    throw new Blocked("socket(AF_UNIX): errno " + (-fd));
                }
                long r = NativeCalls.sockaddrCall(NR_CONNECT, fd, Inbound.abstractAddress(abstractName));
                NativeCalls.close(fd);
                return errno(r, "connect to @" + abstractName);
            });
        }
        String unixPath = System.getProperty("unix.outside");
        if (unixPath != null) {
            Attempt connect = () -> {
                try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    c.connect(UnixDomainSocketAddress.of(unixPath));
                    return "connected to " + unixPath;
                }
            };
            if (ABI >= 9 || !unixSocketsAllowed()) {
                attempt(t, "pathname unix to outside listener", connect);
            } else {
                try {
                    String got = connect.run();
                    limit(t, "pathname unix to outside listener", got + ": Landlock restricts connects to pathname UNIX"
                            + " sockets from ABI 9 (resolve_unix); this kernel has ABI " + ABI);
                } catch (Throwable e) {
                    attempt(t, "pathname unix to outside listener", () -> {
                        throw e;
                    });
                }
            }
        }
    }

    private static boolean unixSocketsAllowed() {
        return WRITABLE != null; // the narrow policy allows AF_UNIX stream sockets; deny-all allows none
    }

    private static boolean allowedByNarrowPolicy(int domain, int type) {
        if (WRITABLE == null) {
            return domain == 1 && type == 1; // the JVM's own socketpair needs AF_UNIX stream under any policy
        }
        return (domain == 2 || domain == 10) && type == 1 || domain == 1 && type == 1;
    }

    // ------------------------------------------------------------------------------ the agent itself

    static void agent(String t) {
        attempt(t, "set landlock.policy after start", () -> {
            System.setProperty("landlock.policy", "{\"version\": 1, \"filesystem\": \"unrestricted\"}");
            return readSecret(SECRET);
        });
        attempt(t, "reflection into the agent", () -> {
            Class<?> hook = Class.forName("dev.landlockagent.launch.DenialHook");
            for (Field f : hook.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
                    f.setAccessible(true);
                    f.set(null, null);
                }
            }
            for (Thread th : Thread.getAllStackTraces().keySet()) {
                ClassLoader cl = th.getContextClassLoader();
                for (String name : List.of("dev.landlockagent.confine.Startup", "dev.landlockagent.confine.Confinement")) {
                    try {
                        Class.forName(name, true, cl);
                    } catch (ClassNotFoundException | LinkageError ignored) {
                        // not visible from there
                    }
                }
            }
            return readSecret(SECRET);
        });
        inheritedDescriptor(t);
        attempt(t, "self attach", () -> {
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(
                    String.valueOf(ProcessHandle.current().pid()));
            vm.detach();
            return "attached to itself";
        });
    }

    static void inheritedDescriptor(String t) {
        attempt(t, "inherited descriptor", () -> {
            String fd = System.getProperty("inherited.fd");
            if (fd == null) {
                throw new Blocked("no descriptor was passed");
            }
            byte[] got = NativeCalls.read(Integer.parseInt(fd), 4096);
            String s = new String(got, StandardCharsets.UTF_8);
            if (!s.contains(secretText)) {
                throw new Blocked("fd " + fd + " holds something else");
            }
            return "read the secret through inherited fd " + fd;
        });
    }

    // ------------------------------------------------------------------------------ other threads

    /** The attempts that matter on every thread: files, a socket, a connection, a child. */
    static void core(String t) {
        Privileged.capabilities(t);
        attempt(t, "read secret", () -> readSecret(SECRET));
        attempt(t, "create outside file", () -> {
            try (FileOutputStream out = new FileOutputStream(OUTSIDE.resolve("from-" + t + ".txt").toFile())) {
                out.write(1);
            }
            return "created a file in " + OUTSIDE;
        });
        attempt(t, "native socket raw", () -> errno(NativeCalls.socket(2, 3, 1), "socket(AF_INET, SOCK_RAW, ICMP)"));
        attempt(t, "java connect outside port", () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", TCP_OUTSIDE), 3000);
                return "connected to " + TCP_OUTSIDE;
            }
        });
        attempt(t, "child cat", () -> child("cat", SECRET.toString()));
    }

    @SuppressWarnings({"removal", "deprecation"})
    static void threads() throws Throwable {
        Thread p = new Thread(() -> core("platform-thread"), "hostile-platform");
        p.start();
        p.join();
        Thread v = Thread.ofVirtual().start(() -> core("virtual-thread"));
        v.join();
        ForkJoinPool.commonPool().submit(() -> core("common-pool")).get();
        CompletableFuture.runAsync(() -> core("completable-future")).get();

        // The Finalizer thread exists before the agent runs.
        CountDownLatch finalized = new CountDownLatch(1);
        makeFinalizable(finalized);
        for (int i = 0; i < 50 && finalized.getCount() > 0; i++) {
            System.gc();
            System.runFinalization();
            finalized.await(100, TimeUnit.MILLISECONDS);
        }
        if (finalized.getCount() > 0) {
            limit("finalizer", "finalize", "the object was not finalized in time; nothing attempted");
        }

        // The JDK's Common-Cleaner thread, also older than the agent (needs --add-exports java.base/jdk.internal.ref).
        try {
            CountDownLatch cleaned = new CountDownLatch(1);
            Class<?> factory = Class.forName("jdk.internal.ref.CleanerFactory");
            java.lang.ref.Cleaner cleaner = (java.lang.ref.Cleaner) factory.getMethod("cleaner").invoke(null);
            cleaner.register(new Object(), () -> {
                core(Thread.currentThread().getName().replace(' ', '-'));
                cleaned.countDown();
            });
            for (int i = 0; i < 50 && cleaned.getCount() > 0; i++) {
                System.gc();
                cleaned.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            limit("common-cleaner", "register", "cannot reach the JDK's cleaner: " + e);
        }

        // A sun.misc.Signal handler runs on a thread the Signal Dispatcher starts.
        CountDownLatch handled = new CountDownLatch(1);
        sun.misc.Signal.handle(new sun.misc.Signal("USR2"), s -> {
            core("signal-handler");
            handled.countDown();
        });
        sun.misc.Signal.raise(new sun.misc.Signal("USR2"));
        handled.await(10, TimeUnit.SECONDS);

        // JMX: a memory notification is delivered on the JVM's Notification Thread.
        CountDownLatch notified = new CountDownLatch(1);
        javax.management.NotificationEmitter emitter = (javax.management.NotificationEmitter) ManagementFactory.getMemoryMXBean();
        emitter.addNotificationListener((n, h) -> {
            if (notified.getCount() > 0) {
                core("jmx-" + Thread.currentThread().getName().replace(' ', '-'));
                notified.countDown();
            }
        }, null, null);
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()) {
                pool.setCollectionUsageThreshold(1);
            }
        }
        for (int i = 0; i < 50 && notified.getCount() > 0; i++) {
            byte[][] garbage = new byte[64][];
            for (int j = 0; j < garbage.length; j++) {
                garbage[j] = new byte[64 * 1024];
            }
            System.gc();
            notified.await(100, TimeUnit.MILLISECONDS);
        }
        if (notified.getCount() > 0) {
            limit("jmx", "notification", "no memory notification arrived; nothing attempted");
        }

        // JFR: a periodic event's hook runs on JFR's own thread, if a recording can start at all
        // (it needs a repository folder it can write).
        CountDownLatch ran = new CountDownLatch(1);
        try {
            jdk.jfr.FlightRecorder.addPeriodicEvent(HostileEvent.class, () -> {
                if (ran.getCount() > 0) {
                    core("jfr-" + Thread.currentThread().getName().replace(' ', '-'));
                    ran.countDown();
                }
            });
            try (jdk.jfr.Recording r = new jdk.jfr.Recording()) {
                r.enable(HostileEvent.class).withPeriod(java.time.Duration.ofMillis(100));
                r.start();
                if (!ran.await(10, TimeUnit.SECONDS)) {
                    limit("jfr", "periodic-event", "the recording started but its hook did not run; nothing attempted");
                }
            }
        } catch (Throwable e) {
            attempt("main", "start a JFR recording", () -> {
                throw e;
            });
        }
    }

    @jdk.jfr.Name("landlock.test.Hostile")
    static final class HostileEvent extends jdk.jfr.Event {
    }

    private static void makeFinalizable(CountDownLatch done) {
        new Object() {
            @Override
            @SuppressWarnings({"removal", "deprecation"})
            protected void finalize() {
                core(Thread.currentThread().getName().replace(' ', '-'));
                done.countDown();
            }
        };
    }
}
