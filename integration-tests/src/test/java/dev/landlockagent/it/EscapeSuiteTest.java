package dev.landlockagent.it;

import com.sun.tools.attach.VirtualMachine;
import dev.landlockagent.it.probe.AttachedAgent;
import dev.landlockagent.it.probe.Hostile;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The escape suite: {@link Hostile} under a deny-all policy and under a narrow service policy
 * tries every way out it knows, from the main thread and from every other kind of thread (new,
 * virtual, pool, Finalizer, Common-Cleaner, signal handler, JMX notification, JFR, shutdown hooks
 * after SIGTERM and SIGINT), plus attaching from outside, an inherited descriptor and a forged
 * re-exec marker. Any ESCAPED line fails the suite; it prints "N attempts, N blocked".
 */
@Tag("escape")
@RequiresLandlock(abi = 6)
class EscapeSuiteTest {
    static final String SECRET_TEXT = "not for the sandbox\n";
    /** Some attempts of the privileged section (probe.Privileged), which every run must have made. */
    static final List<String> PRIVILEGED = List.of("hold-a-capability", "chmod-setuid-outside", "fchmodat-world-writable-outside",
            "chown-outside", "o_path-fchownat-outside", "fchmod-readable-file", "bpf-prog-load", "reboot", "init-module",
            "kexec-load", "unshare-user-namespace", "io-uring-setup");
    /** The attempts of the inbound section (probe.Inbound), which every run must have made. */
    static final List<String> INBOUND = List.of("inbound-abstract-stream", "inbound-abstract-dgram",
            "inbound-abstract-stream-from-a-child-python3", "inbound-pathname-stream", "inbound-pathname-dgram",
            "tcp-listen-without-bind", "descriptor-from-an-outside-listener", "descriptor-passed-out");
    static Path base;
    static ServerSocket tcpOutside;
    static ServerSocketChannel unixOutside;
    static Process abstractOutside;
    static String abstractName;
    static int bindDenied;
    static int bindAllowed;
    static int connectAllowed;
    static OutsidePeer peer;

    @BeforeAll
    static void outsideWorld() throws Exception {
        base = Files.createDirectories(Path.of("target", "escape").toAbsolutePath());
        tcpOutside = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        bindDenied = freePort();
        bindAllowed = freePort();
        connectAllowed = freePort();
        Path unix = Files.createDirectories(base.resolve("outside-unix")).resolve("s.sock");
        Files.deleteIfExists(unix);
        unixOutside = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        unixOutside.bind(UnixDomainSocketAddress.of(unix));
        abstractName = "landlock-escape-" + ProcessHandle.current().pid();
        abstractOutside = new ProcessBuilder("python3", "-c", "import socket, time\n"
                + "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
                + "s.bind('\\0" + abstractName + "')\ns.listen(16)\nprint('listening', flush=True)\ntime.sleep(900)\n")
                .redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(abstractOutside.getInputStream())).readLine();
        assertEquals("listening", line, "python3 must listen on the abstract socket @" + abstractName);
        peer = OutsidePeer.start(Files.writeString(base.resolve("peer-secret.txt"), SECRET_TEXT), base,
                base.resolve("outside-unix/fd.sock"));
    }

    @AfterAll
    static void closeOutsideWorld() throws IOException {
        tcpOutside.close();
        unixOutside.close();
        abstractOutside.destroy();
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void denyAll() throws Exception {
        Report report = new Report("deny-all");
        Path dir = arena("deny-all");
        String policy = "{\"version\": 1, \"jvm\": \"auto\"}";
        report.add(runAll(dir, policy, false, "SIGTERM", null, null));
        report.add(runAll(dir, policy, false, "SIGINT", null, null));
        // A marker copied from a real confined JVM's command line, forged for this one.
        // A forged re-exec marker naming the JVM's own pid (the shell's $$, which exec keeps):
        // the agent must not take it for proof of confinement.
        report.add(runAll(dir, policy, false, null,
                "-Dlandlock.agent.exec=v=2&p={pid}&c=4000000000000001&g=0&a=" + LandlockSupport.abi()
                        + "&m=re-exec&o=forged&s=1.0.0.0.-3.-3.a0.3.0.1%0A%0A", null));
        report.finish();
    }

    /** The same deny-all policy for a JVM that is not root (uid 65534): nothing to drop, the same promise. */
    @Test
    void denyAllAsAnotherUser() throws Exception {
        Report report = new Report("deny-all as uid 65534", false);
        // Under /tmp: a checkout under a private folder (/root) would hide the secret from that user's shell.
        Path dir = Files.createTempDirectory("landlock-escape-nobody-");
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        dir = arena(dir, "deny-all-nobody");
        report.add(runAll(dir, "{\"version\": 1}", false, null, null, 65534));
        report.finish();
    }

    @Test
    void narrowServicePolicy() throws Exception {
        Report report = new Report("narrow service policy");
        Path dir = arena("narrow");
        Path writable = Files.createDirectories(dir.resolve("writable"));
        String policy = """
                {"version": 1,
                 "filesystem": [{"path": "%s", "allow": ["read", "write"]},
                                {"path": "/usr", "allow": ["read", "execute"]}],
                 "network": {"tcp": {"bind": [%d], "connect": [%d]}},
                 "sockets": [{"domain": "inet", "type": "stream", "protocol": "tcp"},
                             {"domain": "inet6", "type": "stream", "protocol": "tcp"},
                             {"domain": "unix", "type": "stream"}]}""".formatted(writable, bindAllowed, connectAllowed);
        report.add(runAll(dir, policy, true, "SIGTERM", null, null));
        report.add(runAll(dir, policy, true, "SIGINT", null, null));
        report.finish();
    }

    /**
     * The policy of the inbound scenario (issue 19): UNIX stream and datagram sockets and inet6 TCP
     * to one port, a writable folder, nothing that binds. An outside process must not get a
     * connection or a descriptor in, to an abstract name or a socket file, from the JVM or its child.
     */
    @Test
    void unixClientPolicy() throws Exception {
        Report report = new Report("unix client policy", false).inboundOnly();
        Path dir = arena("unix-client");
        report.add(runAll(dir, unixPolicy(dir, false), false, null, null, null, inboundOnly(dir, false)));
        report.finish();
    }

    /** The same with "network": {"unix": {"listen": true}}: every inbound attempt must now work (the peer really connects). */
    @Test
    void unixListenPolicy() throws Exception {
        Report report = new Report("unix listen policy", false).inboundOnly();
        Path dir = arena("unix-listen");
        report.add(runAll(dir, unixPolicy(dir, true), false, null, null, null, inboundOnly(dir, true)));
        report.finish();
        assertTrue(report.lines.stream().filter(l -> l.contains(" WORKS ")).count() >= 5, String.join("\n", report.lines));
    }

    private static String unixPolicy(Path dir, boolean listen) throws IOException {
        Path writable = Files.createDirectories(dir.resolve("writable"));
        return """
                {"version": 1,
                 "filesystem": [{"path": "%s", "allow": ["read", "write"]},
                                {"path": "/usr", "allow": ["read", "execute"]}],
                 "network": {"tcp": {"connect": [%d]}%s},
                 "sockets": [{"domain": "unix", "type": ["stream", "dgram"]},
                             {"domain": "inet6", "type": "stream", "protocol": "tcp"}]}""".formatted(writable, connectAllowed,
                listen ? ", \"unix\": {\"listen\": true}" : "");
    }

    private static List<String> inboundOnly(Path dir, boolean listen) {
        List<String> options = new ArrayList<>(peer.jvmOptions(dir.resolve("writable")));
        options.add("-Dsections=inbound");
        if (listen) {
            options.addAll(List.of("-Dinbound.expect=works", "-Dlisten.allowed=true"));
        }
        return options;
    }

    // ------------------------------------------------------------------------------ running

    /** A fresh secret and outside folder for one policy. */
    private static Path arena(String name) throws IOException {
        return arena(base, name);
    }

    private static Path arena(Path under, String name) throws IOException {
        Path dir = under.resolve(name);
        deleteTree(dir);
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("secret.txt"), SECRET_TEXT);
        Files.writeString(dir.resolve("outside/existing.txt"), "existing\n");
        Files.writeString(dir.resolve("outside/delete-me.txt"), "delete me\n");
        return dir;
    }

    /**
     * One confined run of the hostile program, started by a shell that leaves a descriptor of the
     * secret open (fd 7), then the signal; returns its ATTEMPT lines. With hookOnly the program
     * only waits for the signal and attempts from the hook.
     */
    private static List<String> runAll(Path dir, String policyJson, boolean narrow, String signal, String forgedMarker,
                                       Integer uid) throws Exception {
        List<String> inbound = new ArrayList<>(peer.jvmOptions(narrow ? dir.resolve("writable") : dir.resolve("outside")));
        if (narrow) {
            // It binds TCP ports and creates UNIX sockets: abstract binds and TCP listen without bind are its limits.
            inbound.addAll(List.of("-Dinbound.expect=abstract-limit", "-Dlisten.allowed=true"));
        }
        return runAll(dir, policyJson, narrow, signal, forgedMarker, uid, inbound);
    }

    private static List<String> runAll(Path dir, String policyJson, boolean narrow, String signal, String forgedMarker,
                                       Integer uid, List<String> extraOptions) throws Exception {
        // Readable through the class path (the JVM baseline), writable nowhere: for fchmod on a read-only descriptor.
        Path readable = Files.writeString(Files.createDirectories(dir.resolve("readable")).resolve("readable.txt"), "r\n");
        Path policyFile = Files.writeString(dir.resolve("policy-" + (narrow ? "narrow" : "deny-all") + ".json"), policyJson);
        SandboxedJvm jvm = SandboxedJvm.withPolicy(policyFile).classpath(Probes.testClasses(), readable.getParent())
                .jvmOptions("--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "-XX:+EnableDynamicAgentLoading",
                        "-Djdk.attach.allowAttachSelf=true", "--enable-native-access=ALL-UNNAMED",
                        "-Dsecret=" + dir.resolve("secret.txt"), "-Doutside=" + dir.resolve("outside"),
                        "-Dtcp.outside=" + tcpOutside.getLocalPort(), "-Dtcp.bind.denied=" + bindDenied,
                        "-Dunix.outside=" + base.resolve("outside-unix/s.sock"), "-Dabstract.outside=" + abstractName,
                        "-Dppid=" + ProcessHandle.current().pid(), "-Dinherited.fd=7", "-Dabi=" + LandlockSupport.abi(),
                        "-Dreadable=" + readable)
                .timeout(Probes.awaitLimit().multipliedBy(4));
        if (narrow) {
            jvm.jvmOptions("-Dwritable=" + dir.resolve("writable"));
        }
        jvm.jvmOptions(extraOptions.toArray(String[]::new));
        if (signal != null) {
            jvm.jvmOptions("-Dsignal.hook=" + signal);
        }
        if (forgedMarker != null) {
            jvm.jvmOptions(forgedMarker);
        }
        if (uid != null) {
            jvm.asUser(uid, uid);
        }
        List<String> command = jvm.command(Hostile.class.getName());
        String shell = "exec 7<" + quote(dir.resolve("secret.txt").toString()) + "; exec "
                + String.join(" ", command.stream().map(a -> quote(a).replace("{pid}", "'$$'")).toList());
        SandboxedJvm.Running running = jvm.start(List.of("/bin/sh", "-c", shell));
        List<String> extra = new ArrayList<>();
        if (signal != null) {
            String ready = running.awaitLine("READY", Probes.awaitLimit().multipliedBy(4));
            extra.add(attachFromOutside(ready.substring("READY ".length()).strip(), dir));
            if (signal.equals("SIGINT")) {
                new ProcessBuilder("kill", "-INT", String.valueOf(running.pid())).start().waitFor(10, TimeUnit.SECONDS);
            } else {
                running.terminate();
            }
        }
        SandboxedJvm.Result r = running.await();
        List<String> attempts = new ArrayList<>(extra);
        for (String line : r.stdoutLines()) {
            if (line.startsWith("ATTEMPT ")) {
                attempts.add(line);
            }
        }
        assertTrue(r.stdout().contains("DONE"), "the hostile program did not finish\n" + r.describe());
        assertTrue(r.stderr().contains("[landlock-agent] INFO confined by"), r.describe());
        return attempts;
    }

    /** The Attach Listener: load an agent into the confined JVM from outside. */
    private static String attachFromOutside(String pid, Path dir) {
        String name = "ATTEMPT outside-attach load-agent ";
        try {
            Path agentJar = dir.resolve("attached-agent.jar");
            Manifest mf = new Manifest();
            mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            mf.getMainAttributes().put(new Attributes.Name("Agent-Class"), AttachedAgent.class.getName());
            try (OutputStream out = Files.newOutputStream(agentJar); JarOutputStream jar = new JarOutputStream(out, mf)) {
                jar.flush();
            }
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                vm.loadAgent(agentJar.toString(), dir.resolve("secret.txt").toString());
            } finally {
                vm.detach();
            }
            return name + "ESCAPED an agent was loaded into the confined JVM (its own reads are checked by ThreadConfinementTest)";
        } catch (Exception | Error e) {
            return name + "BLOCKED " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' ');
        }
    }

    // ------------------------------------------------------------------------------ the report

    static final class Report {
        final String policy;
        final boolean everyThread;
        final List<String> lines = new ArrayList<>();
        boolean privilegedSection = true;

        Report(String policy) {
            this(policy, true);
        }

        /** @param everyThread whether the runs attempted from every kind of thread, signal hooks and attach included */
        Report(String policy, boolean everyThread) {
            this.policy = policy;
            this.everyThread = everyThread;
        }

        /** Runs of the inbound section alone: no privileged attempts to require. */
        Report inboundOnly() {
            privilegedSection = false;
            return this;
        }

        void add(List<String> attempts) {
            lines.addAll(attempts);
        }

        void finish() throws IOException {
            List<String> escaped = lines.stream().filter(l -> l.split(" ", 4)[3].startsWith("ESCAPED")).toList();
            List<String> limits = lines.stream().filter(l -> l.split(" ", 4)[3].startsWith("LIMIT")).toList();
            List<String> broken = lines.stream().filter(l -> l.split(" ", 4)[3].startsWith("BROKEN")).toList();
            long works = lines.stream().filter(l -> l.split(" ", 4)[3].startsWith("WORKS")).count();
            long attempts = lines.size() - limits.size() - broken.size() - works;
            long blocked = attempts - escaped.size();
            Set<String> threads = new LinkedHashSet<>();
            for (String l : lines) {
                threads.add(l.split(" ")[1]);
            }
            StringBuilder b = new StringBuilder("escape suite, " + policy + ": " + attempts + " attempts, " + blocked
                    + " blocked (Landlock ABI " + LandlockSupport.abi() + "); threads: " + threads + "\n");
            for (String l : limits) {
                b.append("  known limit: ").append(l).append('\n');
            }
            for (String l : escaped) {
                b.append("  ").append(l).append('\n');
            }
            for (String l : broken) {
                b.append("  allowed, but broken: ").append(l).append('\n');
            }
            System.out.print(b);
            Files.writeString(base.resolve(policy.replace(' ', '-') + ".txt"), b + String.join("\n", lines) + "\n");
            assertTrue(escaped.isEmpty(), b.toString());
            assertTrue(broken.isEmpty(), b.toString());
            for (String n : INBOUND) {
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("ATTEMPT main " + n + " ")),
                        "the inbound section did not attempt " + n + "\n" + b);
            }
            for (String n : privilegedSection ? PRIVILEGED : List.<String>of()) {
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("ATTEMPT main " + n + " ")),
                        "the privileged section did not attempt " + n + "\n" + b);
            }
            if (!everyThread) {
                return;
            }
            for (String kind : List.of("main", "platform-thread", "virtual-thread", "common-pool", "completable-future",
                    "Finalizer", "Common-Cleaner", "signal-handler", "shutdown-hook-SIGTERM", "shutdown-hook-SIGINT",
                    "outside-attach")) {
                assertTrue(threads.contains(kind), "no attempt from " + kind + "\n" + b);
            }
            assertTrue(threads.stream().anyMatch(t -> t.startsWith("jmx-")), "no attempt from the JMX notification thread\n" + b);
            assertTrue(attempts >= 60, "too few attempts: " + attempts + "\n" + b);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted((a, c) -> c.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(x);
            }
        }
    }
}
