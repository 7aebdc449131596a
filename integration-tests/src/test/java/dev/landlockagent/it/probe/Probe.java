package dev.landlockagent.it.probe;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs inside a confined JVM and reports each attempt as one line on stdout:
 * {@code RESULT <label> OK <detail>} or {@code RESULT <label> DENIED <exception>}. The tests read
 * these lines; nothing else is printed on stdout.
 *
 * <p>Commands (several may follow each other): {@code read PATH}, {@code read-thread PATH},
 * {@code read-finalizer PATH}, {@code read-cleaner PATH} (the JDK's common cleaner thread, which
 * exists before premain), {@code read-hook PATH} (a shutdown hook; then waits for a signal),
 * {@code write PATH}, {@code bind PORT}, {@code connect PORT}, {@code fds}, {@code pid},
 * {@code env NAME}, {@code prop NAME}, {@code stdin} (echoes it), {@code exit CODE}, {@code wait}
 * (prints READY and sleeps), {@code udp-bind PORT}, {@code udp-send PORT} (one datagram to
 * 127.0.0.1:PORT from an unbound socket), {@code unix-connect PATH}, {@code restricted-ffm} (links a
 * downcall, a JEP 472 restricted method), {@code caps} (this thread's capability sets),
 * {@code set-mode PATH OCTAL}, {@code set-perms PATH rwxr-x---}, {@code set-owner PATH USER},
 * {@code set-times PATH}, {@code keyctl} (a syscall of the privileged {@code @keyring} group).
 */
public final class Probe {
    private static final CountDownLatch FINALIZED = new CountDownLatch(1);

    private Probe() {
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            String cmd = args[i];
            switch (cmd) {
                case "read" -> report("read " + args[++i], read(args[i]));
                case "read-thread" -> {
                    String path = args[++i];
                    String[] out = new String[1];
                    Thread t = new Thread(() -> out[0] = read(path), "probe-thread");
                    t.start();
                    t.join();
                    report("read-thread " + path, out[0]);
                }
                case "read-finalizer" -> readOnFinalizer(args[++i]);
                case "read-cleaner" -> readOnCommonCleaner(args[++i]);
                case "read-hook" -> {
                    String path = args[++i];
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        report("read-hook " + path + " on " + Thread.currentThread().getName(), read(path));
                        System.out.flush();
                    }, "probe-hook"));
                    System.out.println("READY " + ProcessHandle.current().pid());
                    System.out.flush();
                    Thread.sleep(60_000);
                }
                case "write" -> report("write " + args[++i], write(args[i]));
                case "bind" -> report("bind " + args[++i], bind(Integer.parseInt(args[i])));
                case "connect" -> report("connect " + args[++i], connect(Integer.parseInt(args[i])));
                case "udp-bind" -> report("udp-bind " + args[++i], udpBind(Integer.parseInt(args[i])));
                case "udp-send" -> report("udp-send " + args[++i], udpSend(Integer.parseInt(args[i])));
                case "unix-connect" -> report("unix-connect " + args[++i], unixConnect(args[i]));
                case "restricted-ffm" -> report("restricted-ffm", restrictedFfm());
                case "fds" -> report("fds", fds());
                case "cmdline" -> report("cmdline", "OK " + Files.readString(Path.of("/proc/self/cmdline")).replace('\0', ' ').strip());
                case "caps" -> report("caps", caps());
                case "set-mode" -> {
                    String path = args[++i];
                    int mode = Integer.parseInt(args[++i], 8);
                    report("set-mode " + path, metadata(() -> Files.setAttribute(Path.of(path), "unix:mode", mode)));
                }
                case "set-perms" -> {
                    String path = args[++i];
                    String perms = args[++i];
                    report("set-perms " + path, metadata(() -> Files.setPosixFilePermissions(Path.of(path),
                            java.nio.file.attribute.PosixFilePermissions.fromString(perms))));
                }
                case "set-owner" -> {
                    String path = args[++i];
                    String user = args[++i];
                    report("set-owner " + path, metadata(() -> Files.setOwner(Path.of(path),
                            Path.of(path).getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user))));
                }
                case "set-times" -> {
                    String path = args[++i];
                    report("set-times " + path, metadata(() -> Files.setLastModifiedTime(Path.of(path),
                            java.nio.file.attribute.FileTime.fromMillis(86_400_000L))));
                }
                case "keyctl" -> {
                    // keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, create): the @keyring group
                    long nr = System.getProperty("os.arch").equals("amd64") ? 250 : 219;
                    long r;
                    try {
                        r = NativeCalls.call(nr, 0, -2, 1);
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                    report("keyctl", r >= 0 ? "OK keyring " + r : "DENIED errno " + (-r));
                }
                case "pid" -> report("pid", "OK " + ProcessHandle.current().pid());
                case "cwd" -> report("cwd", "OK " + Files.readSymbolicLink(Path.of("/proc/self/cwd")) + " user.dir="
                        + System.getProperty("user.dir"));
                case "resolve" -> {
                    String host = args[++i];
                    try {
                        report("resolve " + host, "OK " + java.net.InetAddress.getByName(host).getHostAddress());
                    } catch (IOException e) {
                        report("resolve " + host, denied(e));
                    }
                }
                case "env" -> report("env " + args[++i], "OK " + System.getenv(args[i]));
                case "prop" -> report("prop " + args[++i], "OK " + System.getProperty(args[i]));
                case "stdin" -> report("stdin", "OK " + new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip());
                case "exit" -> {
                    System.out.flush();
                    System.exit(Integer.parseInt(args[++i]));
                }
                case "ready" -> {
                    System.out.println("READY " + ProcessHandle.current().pid());
                    System.out.flush();
                }
                case "wait" -> {
                    System.out.println("READY " + ProcessHandle.current().pid());
                    System.out.flush();
                    Thread.sleep(60_000);
                }
                default -> throw new IllegalArgumentException("unknown probe command " + cmd);
            }
        }
        System.out.flush();
    }

    interface MetadataChange {
        void run() throws IOException;
    }

    private static String metadata(MetadataChange change) {
        try {
            change.run();
            return "OK";
        } catch (IOException | RuntimeException e) {
            return denied(e);
        }
    }

    /** The capability sets of this thread and of the JVM's Finalizer thread (older than the agent). */
    private static String caps() throws IOException {
        StringBuilder b = new StringBuilder("OK");
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("Cap")) {
                b.append(' ').append(line.replace(":\t", "="));
            }
        }
        return b.toString();
    }

    private static void report(String label, String outcome) {
        System.out.println("RESULT " + label + " " + outcome);
    }

    static String read(String path) {
        try (FileInputStream in = new FileInputStream(path)) {
            return "OK " + in.readAllBytes().length + " bytes";
        } catch (IOException | RuntimeException e) {
            return denied(e);
        }
    }

    static String udpBind(int port) {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(null)) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return "OK bound " + s.getLocalPort();
        } catch (IOException | RuntimeException e) {
            return denied(e);
        }
    }

    static String udpSend(int port) {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(null)) {
            byte[] data = "probe".getBytes(StandardCharsets.US_ASCII);
            s.send(new java.net.DatagramPacket(data, data.length, new InetSocketAddress("127.0.0.1", port)));
            return "OK sent";
        } catch (IOException | RuntimeException e) {
            return denied(e);
        }
    }

    static String unixConnect(String path) {
        try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(path))) {
            return "OK connected " + c.getRemoteAddress();
        } catch (IOException | RuntimeException e) {
            return denied(e);
        }
    }

    static String restrictedFfm() {
        try {
            java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
            linker.downcallHandle(linker.defaultLookup().find("getpid").orElseThrow(),
                    java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT));
            return "OK linked";
        } catch (RuntimeException e) {
            return denied(e);
        }
    }

    static String write(String path) {
        try (FileOutputStream out = new FileOutputStream(path)) {
            out.write("written by probe\n".getBytes(StandardCharsets.UTF_8));
            return "OK";
        } catch (IOException | RuntimeException e) {
            return denied(e);
        }
    }

    static String bind(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return "OK " + s.getLocalPort();
        } catch (IOException | RuntimeException e) {
            return denied(e);
        }
    }

    static String connect(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return "OK";
        } catch (IOException | RuntimeException e) {
            return denied(e);
        }
    }

    static String fds() {
        List<String> fds = new ArrayList<>();
        try (var dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : dir) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    target = "?";
                }
                fds.add(p.getFileName() + "=" + target);
            }
            return "OK " + String.join(",", fds);
        } catch (IOException e) {
            return denied(e);
        }
    }

    private static String denied(Throwable e) {
        return "DENIED " + e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' ');
    }

    // ------------------------------------------------------------- threads that exist before premain

    private static volatile String finalizerOutcome;
    private static volatile String finalizerThread;

    @SuppressWarnings("unused")
    private static final class Finalizable {
        private final String path;

        Finalizable(String path) {
            this.path = path;
        }

        @Override
        @SuppressWarnings({"removal", "deprecation"})
        protected void finalize() {
            finalizerThread = Thread.currentThread().getName();
            finalizerOutcome = read(path);
            FINALIZED.countDown();
        }
    }

    private static void readOnFinalizer(String path) throws InterruptedException {
        makeGarbage(path);
        for (int i = 0; i < 50 && !FINALIZED.await(100, TimeUnit.MILLISECONDS); i++) {
            System.gc();
        }
        report("read-finalizer " + path + " on " + finalizerThread, finalizerOutcome == null ? "TIMEOUT" : finalizerOutcome);
    }

    private static void makeGarbage(String path) {
        new Finalizable(path);
    }

    /**
     * The JDK's common Cleaner thread ("Common-Cleaner") exists before any agent runs. Reaching it
     * needs {@code --add-exports java.base/jdk.internal.ref=ALL-UNNAMED}.
     */
    private static void readOnCommonCleaner(String path) throws Exception {
        Class<?> factory = Class.forName("jdk.internal.ref.CleanerFactory");
        Cleaner cleaner = (Cleaner) factory.getMethod("cleaner").invoke(null);
        CountDownLatch done = new CountDownLatch(1);
        String[] out = new String[2];
        Object garbage = new Object();
        cleaner.register(garbage, () -> {
            out[0] = Thread.currentThread().getName();
            out[1] = read(path);
            done.countDown();
        });
        garbage = null;
        for (int i = 0; i < 50 && !done.await(100, TimeUnit.MILLISECONDS); i++) {
            System.gc();
        }
        report("read-cleaner " + path + " on " + out[0], out[1] == null ? "TIMEOUT" : out[1]);
    }
}
