package dev.landlockagent.samples.plugin;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A plugin that tries to escape its host in every way the issue lists, and reports each attempt
 * as {@code [plugin] ATTEMPT: BLOCKED reason} or {@code [plugin] ATTEMPT: ESCAPED what it got}.
 */
public final class EscapeArtist implements Runnable {
    private static final Linker LINKER = Linker.nativeLinker();
    private int blocked;
    private int escaped;
    private int absent;

    @Override
    public void run() {
        String home = System.getProperty("user.home");
        attempt("list the home folder", () -> "listed " + list(Path.of(home)));
        attempt("read ~/.ssh/id_rsa", () -> Files.readString(Path.of(home, ".ssh", "id_rsa")).length() + " bytes");
        attempt("read /etc/shadow", () -> Files.readString(Path.of("/etc/shadow")).length() + " bytes");
        attempt("connect to 127.0.0.1:22", () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", 22), 2000);
                return "connected";
            }
        });
        attempt("connect to example.org:443", () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("example.org", 443), 2000);
                return "connected";
            }
        });
        attempt("bind port 4444", () -> {
            try (ServerSocket s = new ServerSocket(4444)) {
                return "listening on " + s.getLocalPort();
            }
        });
        attempt("open a UDP socket", () -> {
            try (DatagramSocket s = new DatagramSocket()) {
                return "UDP socket on port " + s.getLocalPort();
            }
        });
        attempt("raw ICMP socket through FFM", () -> nativeSocket(2, 3, 1));
        attempt("netlink socket through FFM", () -> nativeSocket(16, 3, 0));
        attempt("MPTCP socket through FFM", () -> nativeSocket(2, 1, 262));
        attempt("spawn /bin/sh to read /etc/shadow", () -> {
            Process p = new ProcessBuilder("/bin/sh", "-c", "cat /etc/shadow").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor() != 0) {
                throw new IOException("sh ran, but inherited the sandbox: " + out);
            }
            return out.length() + " bytes of /etc/shadow";
        });
        attempt("signal the parent process", () -> {
            long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
            int r = kill(parent, 0);
            if (r != 0) {
                throw new IOException("kill(" + parent + ", 0): errno " + (-r) + " (Landlock signal scope)");
            }
            return "may signal process " + parent;
        });
        attempt("the finalizer trick", this::finalizerTrick);
        attempt("load an agent into another JVM through the Attach API", this::attach);
        attempt("rewrite the host's policy", () -> {
            Files.writeString(Path.of("policy.json"), "{\"version\": 1, \"filesystem\": \"unrestricted\"}");
            return "policy rewritten";
        });
        System.out.println("[plugin] " + (blocked + escaped + absent) + " attempts, " + blocked + " blocked, " + escaped
                + " escaped" + (absent > 0 ? ", " + absent + " found nothing to take" : ""));
    }

    interface Attempt {
        String run() throws Throwable;
    }

    private void attempt(String what, Attempt a) {
        try {
            String got = a.run();
            escaped++;
            System.out.println("[plugin] " + what + ": ESCAPED " + got);
        } catch (Throwable t) {
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null ? t.getCause() : t;
            if (cause instanceof java.nio.file.NoSuchFileException) {
                absent++;
                System.out.println("[plugin] " + what + ": NOT PRESENT " + cause.getMessage());
                return;
            }
            blocked++;
            System.out.println("[plugin] " + what + ": BLOCKED " + cause);
        }
    }

    private static String list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList().toString();
        }
    }

    private static String nativeSocket(int domain, int type, int protocol) throws Throwable {
        MethodHandle socket = LINKER.downcallHandle(LINKER.defaultLookup().find("socket").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.captureCallState("errno"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int fd = (int) socket.invokeExact(state, domain, type, protocol);
            if (fd < 0) {
                throw new IOException("socket(" + domain + ", " + type + ", " + protocol + "): errno "
                        + state.get(ValueLayout.JAVA_INT, 0) + " (EACCES is 13: the sandbox)");
            }
            return "got socket fd " + fd;
        }
    }

    private static int kill(long pid, int signal) throws Throwable {
        MethodHandle kill = LINKER.downcallHandle(LINKER.defaultLookup().find("kill").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.captureCallState("errno"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int r = (int) kill.invokeExact(state, (int) pid, signal);
            return r == 0 ? 0 : -state.get(ValueLayout.JAVA_INT, 0);
        }
    }

    private static final CountDownLatch FINALIZED = new CountDownLatch(1);
    private static volatile String finalizerResult;

    private static final class Sleeper {
        @Override
        @SuppressWarnings({"removal", "deprecation"})
        protected void finalize() {
            try {
                finalizerResult = "ESC " + Files.readString(Path.of("/etc/shadow")).length() + " bytes on "
                        + Thread.currentThread().getName();
            } catch (IOException e) {
                finalizerResult = "BLK " + e + " on " + Thread.currentThread().getName();
            }
            FINALIZED.countDown();
        }
    }

    /** A finalize() runs on the JVM's Finalizer thread, which existed before any agent ran. */
    private String finalizerTrick() throws Exception {
        new Sleeper();
        for (int i = 0; i < 50 && !FINALIZED.await(100, TimeUnit.MILLISECONDS); i++) {
            System.gc();
        }
        if (finalizerResult == null || finalizerResult.startsWith("BLK")) {
            throw new IOException(finalizerResult == null ? "finalizer never ran" : finalizerResult.substring(4));
        }
        return finalizerResult.substring(4);
    }

    /** The Attach API: load an agent into some other JVM on this machine (or, failing that, this one). */
    private String attach() throws Exception {
        Class<?> vmClass = Class.forName("com.sun.tools.attach.VirtualMachine");
        List<String> tried = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        List<?> vms = (List<?>) vmClass.getMethod("list").invoke(null);
        for (Object descriptor : vms) {
            String id = (String) descriptor.getClass().getMethod("id").invoke(descriptor);
            if (!id.equals(Long.toString(self))) {
                tried.add(id);
                try {
                    Object vm = vmClass.getMethod("attach", String.class).invoke(null, id);
                    vmClass.getMethod("detach").invoke(vm);
                    return "attached to JVM " + id;
                } catch (java.lang.reflect.InvocationTargetException e) {
                    tried.add(String.valueOf(e.getCause()));
                }
            }
        }
        try {
            vmClass.getMethod("attach", String.class).invoke(null, Long.toString(self));
            return "attached to itself";
        } catch (java.lang.reflect.InvocationTargetException e) {
            tried.add("self: " + e.getCause());
        }
        throw new IOException("no JVM to attach to: " + tried);
    }
}
