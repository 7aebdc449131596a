package dev.landlockagent.it;

import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.landlockagent.it.Probes.assertAllowed;
import static dev.landlockagent.it.Probes.assertDenied;
import static dev.landlockagent.it.Probes.assertExit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each Landlock ABI should give, asserted for the ABI of the kernel this runs on. It runs in
 * the kernel guests that {@link KernelMatrixTest} boots (7.2, 6.12, 6.1, and a kernel with
 * Landlock left out of {@code lsm=}); its name keeps it out of the build machine's own test run.
 * Every test asserts something on every ABI, including 0: no ABI makes a test pass by skipping.
 *
 * <p>The servers the confined probes talk to (TCP, UDP, pathname UNIX sockets) are opened by this
 * test JVM, which is not confined: for {@code resolve_unix} that is what "a socket made outside
 * the domain" means.
 */
class GuestScenarios {
    static final int ABI = LandlockSupport.abi();
    private static final String DENY_ALL = "{\"version\": 1}";

    private static Path scratch;
    private static Path secret;
    private static final List<AutoCloseable> SERVERS = new ArrayList<>();

    @BeforeAll
    static void report() throws IOException {
        // KernelMatrixTest compares this line with the ABI the guest's kernel should have.
        System.out.println("GUEST landlock-abi=" + ABI + " kernel=" + System.getProperty("os.version")
                + (ABI == 0 ? " why=" + LandlockSupport.whyUnavailable() : ""));
        scratch = Files.createDirectories(Path.of(System.getProperty("landlock.test.scratch", "target"), "guest"));
        secret = scratch.resolve("secret.txt");
        Files.writeString(secret, "not for the sandbox\n");
    }

    @AfterAll
    static void closeServers() throws Exception {
        for (AutoCloseable c : SERVERS) {
            c.close();
        }
    }

    @Test
    void infoLineNamesTheAbiAndTheMechanismAndFilesAreDenied() {
        SandboxedJvm.Result r = evidence("deny-all", Probes.run(SandboxedJvm.withPolicyJson(DENY_ALL)
                .jvmOptions("-Dlandlock.timing=true"), "read", secret.toString(), "read-thread", secret.toString()));
        if (ABI == 0) {
            assertFailsClosedWithoutLandlock(r);
            return;
        }
        assertExit(r, 0);
        String info = infoLine(r);
        assertTrue(info.contains("Landlock ABI " + ABI + ","), info);
        // This runs as root, whose capabilities no syscall takes from the JVM's other threads: a
        // root JVM is re-executed on every ABI, and TSYNC confines a JVM that holds none.
        assertTrue(info.contains(", re-exec;"), info);
        assertTrue(r.stderr().contains("timing (first JVM"), r.describe());
        assertDenied(r, "read " + secret);
        assertDenied(r, "read-thread " + secret);

        SandboxedJvm.Result user = evidence("deny-all as uid 65534", Probes.run(SandboxedJvm.withPolicyJson(DENY_ALL)
                .asUser(65534, 65534).jvmOptions("-Dlandlock.timing=true"), "read", secret.toString(), "read-thread", secret.toString()));
        assertExit(user, 0);
        String userInfo = infoLine(user);
        if (ABI >= 8) {
            // One JVM, every thread restricted at once: no re-exec, no first-JVM timing line.
            assertTrue(userInfo.contains(", TSYNC;"), userInfo);
            assertTrue(user.stderr().contains("timing (TSYNC"), user.describe());
            assertFalse(user.stderr().contains("timing (first JVM"), user.describe());
        } else {
            assertTrue(userInfo.contains(", re-exec;"), userInfo);
        }
        assertDenied(user, "read " + secret);
        assertDenied(user, "read-thread " + secret);
    }

    /**
     * The {@code "exit"} rule holds on both paths: as root (re-exec, the rule in the marker) and
     * as a user without capabilities (TSYNC from ABI 8, woven before main in the one JVM).
     */
    @Test
    void theExitRuleHoldsOnEveryPath() {
        for (boolean root : new boolean[] {true, false}) {
            SandboxedJvm jvm = SandboxedJvm.withPolicyJson("{\"version\": 1, \"exit\": \"deny\"}").classpath(Probes.testClasses());
            SandboxedJvm.Result r = evidence("exit rule " + (root ? "as root" : "as uid 65534"),
                    (root ? jvm : jvm.asUser(65534, 65534)).run(dev.landlockagent.it.probe.ExitProbe.class.getName()));
            if (ABI == 0) {
                assertFailsClosedWithoutLandlock(r);
                return;
            }
            assertExit(r, 7);
            assertTrue(r.stdout().contains("RESULT exit-by-other refused: System.exit(3) from dev.landlockagent.it.probe.OtherCode.exit"),
                    r.describe());
            assertTrue(infoLine(r).contains(root || ABI < 8 ? ", re-exec;" : ", TSYNC;"), r.describe());
        }
    }

    /**
     * The JVM's diagnostics under deny-all, as root (re-exec) and as a user without capabilities
     * (TSYNC, from ABI 8): a GC log and a JFR recording are written, with JFR's default repository
     * in the run's folder on either path, and nothing is warned about.
     */
    @Test
    void gcLogsAndJfrWorkConfinedOnEveryPath() throws Exception {
        // Below ABI 8 both run re-executed, which DiagnosticsTest covers for another user already.
        for (boolean root : ABI >= 8 ? new boolean[] {true, false} : new boolean[] {true}) {
            Path out = Files.createDirectories(scratch.resolve("diagnostics-" + (root ? "root" : "user")));
            for (Path p = out; p != null && p.startsWith(scratch.getParent()); p = p.getParent()) {
                p.toFile().setReadable(true, false);
                p.toFile().setExecutable(true, false);
            }
            out.toFile().setWritable(true, false);
            SandboxedJvm jvm = SandboxedJvm.withPolicyJson(DENY_ALL).classpath(Probes.testClasses())
                    .jvmOptions("-Xlog:gc:file=" + out + "/gc.log", "-XX:StartFlightRecording=filename=" + out + "/app.jfr");
            SandboxedJvm.Result r = evidence("diagnostics " + (root ? "as root" : "as uid 65534"), (root ? jvm : jvm.asUser(65534, 65534))
                    .run(dev.landlockagent.it.probe.DiagnosticsApp.class.getName(), "gc", "2"));
            if (ABI == 0) {
                assertFailsClosedWithoutLandlock(r);
                return;
            }
            assertExit(r, 0);
            assertTrue(infoLine(r).contains(root || ABI < 8 ? ", re-exec;" : ", TSYNC;"), infoLine(r));
            assertFalse(r.stderr().contains("WARN"), r.describe());
            assertTrue(Files.readString(out.resolve("gc.log")).contains("Pause Full"), r.describe());
            assertFalse(jdk.jfr.consumer.RecordingFile.readAllEvents(out.resolve("app.jfr")).isEmpty(), r.describe());
        }
    }

    /**
     * The escape suite's privileged section (probe.Privileged), as root (re-executed, with the
     * read-only view) and as a user without capabilities (TSYNC from ABI 8), each started by a
     * shell that leaves a descriptor of the secret open: nothing escapes on any ABI.
     */
    @Test
    void thePrivilegedSectionOfTheEscapeSuiteFindsNoEscapeAsRootOrNot() throws Exception {
        Path readable = Files.createDirectories(scratch.resolve("readable"));
        Files.writeString(readable.resolve("readable.txt"), "r\n");
        Path outside = Files.createDirectories(scratch.resolve("outside"));
        for (Integer uid : new Integer[] {null, 65534}) {
            String who = uid == null ? "root" : "uid " + uid;
            SandboxedJvm jvm = SandboxedJvm.withPolicyJson(DENY_ALL).classpath(Probes.testClasses(), readable)
                    .jvmOptions("--enable-native-access=ALL-UNNAMED", "-Dsecret=" + secret, "-Doutside=" + outside,
                            "-Dreadable=" + readable.resolve("readable.txt"), "-Dinherited.fd=7", "-Dabi=" + ABI,
                            "-Dppid=" + ProcessHandle.current().pid(),
                            "-Dsections=privileged" + (uid == null ? ",threads" : ""))
                    .timeout(Probes.awaitLimit().multipliedBy(4));
            if (uid != null) {
                jvm.asUser(uid, uid);
            }
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "exec 7<'" + secret + "'; exec \"$@\"", "sh"));
            command.addAll(jvm.command(dev.landlockagent.it.probe.Hostile.class.getName()));
            if (uid != null) {
                command.addAll(0, List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--inh-caps=-all", "--"));
            }
            SandboxedJvm.Result r = SandboxedJvm.unconfined().timeout(Probes.awaitLimit().multipliedBy(4)).start(command).await();
            if (ABI == 0) {
                assertFailsClosedWithoutLandlock(r);
                continue;
            }
            evidence("privileged section as " + who, r);
            List<String> attempts = r.stdoutLines().stream().filter(l -> l.startsWith("ATTEMPT ")).toList();
            List<String> escaped = attempts.stream().filter(l -> l.split(" ", 4)[3].startsWith("ESCAPED")).toList();
            assertTrue(escaped.isEmpty(), who + ": " + String.join("\n", escaped) + "\n" + r.describe());
            assertTrue(attempts.size() >= 50, who + ": " + attempts.size() + " attempts\n" + r.describe());
            assertTrue(attempts.stream().anyMatch(l -> l.startsWith("ATTEMPT main inherited-descriptor BLOCKED")), r.describe());
            assertTrue(r.stdout().contains("DONE"), r.describe());
            String info = infoLine(r);
            assertTrue(info.contains(uid == null || ABI < 8 ? ", re-exec;" : ", TSYNC;"), who + ": " + info);
        }
    }

    /**
     * The escape suite's inbound section (probe.Inbound) under a policy that allows UNIX stream and
     * datagram sockets and binds nothing, as root (re-exec) and as uid 65534 (TSYNC from ABI 8):
     * an unconfined peer must get no connection and no descriptor in. Then, as the control, the
     * same with "network": {"unix": {"listen": true}}, where every inbound attempt must work; and a
     * server policy (a TCP bind rule), where abstract names are the documented limit and socket
     * files stay closed.
     */
    @Test
    void nothingOutsideConnectsInToAPolicyThatBindsNothing() throws Exception {
        Path root = Files.createDirectories(scratch.resolve("inbound")).toAbsolutePath();
        root.toFile().setWritable(true, false);
        Path readable = Files.createDirectories(scratch.resolve("inbound-readable")).toAbsolutePath();
        Files.writeString(readable.resolve("readable.txt"), "r\n");
        try (OutsidePeer peer = OutsidePeer.start(secret.toAbsolutePath(), root, root.resolve("fd.sock"))) {
            // uid 65534 (the TSYNC path) and the server policy where TSYNC exists; below ABI 8 both
            // paths are the re-exec one root takes, and each run costs the matrix about 25 s
            String[] runs = ABI >= 8 ? new String[] {"root", "uid 65534", "listen", "server"} : new String[] {"root", "listen"};
            for (String run : runs) {
                Path writable = Files.createDirectories(root.resolve(run.replace(' ', '-')));
                writable.toFile().setWritable(true, false);
                String policy = """
                        {"version": 1, "compatibility": "best-effort",
                         "filesystem": [{"path": "%s", "allow": ["read", "write"]}, {"path": "/usr", "allow": ["read", "execute"]}],
                         "network": {"tcp": {"connect": [1]%s}%s},
                         "sockets": [{"domain": "unix", "type": ["stream", "dgram"]}, {"domain": "inet6", "type": "stream", "protocol": "tcp"}]}"""
                        .formatted(writable, run.equals("server") ? ", \"bind\": [0]" : "",
                                run.equals("listen") ? ", \"unix\": {\"listen\": true}" : "");
                SandboxedJvm jvm = SandboxedJvm.withPolicyJson(policy).classpath(Probes.testClasses(), readable)
                        .jvmOptions("--enable-native-access=ALL-UNNAMED", "-Dsecret=" + secret.toAbsolutePath(), "-Doutside=" + root,
                                "-Dreadable=" + readable.resolve("readable.txt"), "-Dabi=" + ABI, "-Dsections=inbound")
                        .jvmOptions(peer.jvmOptions(writable).toArray(String[]::new))
                        .timeout(Probes.awaitLimit().multipliedBy(4));
                if (run.equals("listen")) {
                    jvm.jvmOptions("-Dinbound.expect=works", "-Dlisten.allowed=true");
                }
                if (run.equals("server")) {
                    // binds TCP ports and creates UNIX sockets: abstract binds are its documented limit
                    jvm.jvmOptions("-Dinbound.expect=abstract-limit", "-Dlisten.allowed=true");
                }
                if (run.equals("uid 65534")) {
                    jvm.asUser(65534, 65534);
                }
                SandboxedJvm.Result r = jvm.run(dev.landlockagent.it.probe.Hostile.class.getName());
                if (ABI == 0) {
                    assertFailsClosedWithoutLandlock(r);
                    return;
                }
                evidence("inbound section, " + run, r);
                List<String> attempts = r.stdoutLines().stream().filter(l -> l.startsWith("ATTEMPT ")).toList();
                for (String outcome : new String[] {"ESCAPED", "BROKEN"}) {
                    List<String> bad = attempts.stream().filter(l -> l.split(" ", 4)[3].startsWith(outcome)).toList();
                    assertTrue(bad.isEmpty(), run + ": " + String.join("\n", bad) + "\n" + r.describe());
                }
                assertTrue(attempts.size() >= 8, run + ": " + attempts.size() + " attempts\n" + r.describe());
                if (run.equals("listen")) {
                    assertTrue(attempts.stream().filter(l -> l.contains(" WORKS ")).count() >= 5, r.describe());
                } else if (run.equals("server")) {
                    assertTrue(attempts.stream().anyMatch(l -> l.startsWith("ATTEMPT main inbound-pathname-stream BLOCKED")),
                            "no socket file without unix listening\n" + r.describe());
                } else {
                    assertTrue(attempts.stream().filter(l -> l.contains(" inbound-") && l.contains(" BLOCKED ")).count() >= 5,
                            r.describe());
                }
            }
        }
    }

    /**
     * IPV6_ADDRFORM on a connected v4-mapped inet6 TCP socket creates no socket, so a policy with
     * no inet rule leaves it as this kernel makes it: the same answer as without the agent.
     */
    @Test
    void ipv6AddrformIsWhatTheKernelMakesItWithoutAnInetRule() throws IOException {
        // The connections stay open: IPV6_ADDRFORM needs an established socket (ENOTCONN once the peer closed).
        List<java.net.Socket> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            Thread accept = Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try {
                        accepted.add(listener.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            String port = Integer.toString(listener.getLocalPort());
            String policy = """
                    {"version": 1, "compatibility": "best-effort", "network": {"tcp": {"connect": [%s]}},
                     "sockets": [{"domain": "inet6", "type": "stream", "protocol": "tcp"}]}""".formatted(port);
            SandboxedJvm.Result bare = evidence("addrform without the agent", SandboxedJvm.unconfined().classpath(Probes.testClasses())
                    .jvmOptions("--enable-native-access=ALL-UNNAMED").run(dev.landlockagent.it.probe.SocketProbe.class.getName(),
                            "addrform", port));
            SandboxedJvm.Result r = evidence("addrform", SandboxedJvm.withPolicyJson(policy).classpath(Probes.testClasses())
                    .jvmOptions("--enable-native-access=ALL-UNNAMED").run(dev.landlockagent.it.probe.SocketProbe.class.getName(),
                            "addrform", port));
            if (ABI == 0) {
                assertFailsClosedWithoutLandlock(r);
                return;
            }
            String without = Probes.result(bare, "addrform " + port);
            assertEquals(without, Probes.result(r, "addrform " + port), r.describe());
            listener.close();
            accept.join(5000);
        } catch (InterruptedException e) {
            throw new IOException(e);
        } finally {
            for (java.net.Socket c : accepted) {
                c.close();
            }
        }
    }

    @Test
    void theApplicationsOwnRestrictedMethodsStillWarn() {
        // The agent enables native access for its own FFM calls and takes it back (TSYNC), or
        // the application runs in a new JVM (re-exec): either way the application's first
        // restricted call gets the JDK's JEP 472 warning, as without the agent.
        SandboxedJvm.Result r = evidence("restricted-ffm", Probes.run(SandboxedJvm.withPolicyJson(DENY_ALL), "restricted-ffm"));
        if (ABI == 0) {
            assertFailsClosedWithoutLandlock(r);
            return;
        }
        assertExit(r, 0);
        assertAllowed(r, "restricted-ffm");
        assertTrue(r.stderr().contains("WARNING: A restricted method in java.lang.foreign.Linker has been called"),
                r.describe());
    }

    @Test
    void tcpPortRules() throws IOException {
        ServerSocket allowed = tcpServer();
        ServerSocket other = tcpServer();
        int bindOk = freeTcpPort();
        int bindOther = freeTcpPort();
        String network = "\"network\": {\"tcp\": {\"bind\": [%d], \"connect\": [%d]}}"
                .formatted(bindOk, allowed.getLocalPort());
        String[] probe = {"bind", "" + bindOk, "bind", "" + bindOther,
            "connect", "" + allowed.getLocalPort(), "connect", "" + other.getLocalPort()};
        SandboxedJvm.Result strict = scenario("tcp strict", policy("strict", network), probe);
        if (ABI == 0) {
            assertFailsClosedWithoutLandlock(strict);
        } else if (ABI >= 4) {
            assertExit(strict, 0);
            assertAllowed(strict, "bind " + bindOk);
            assertDenied(strict, "bind " + bindOther);
            assertAllowed(strict, "connect " + allowed.getLocalPort());
            assertDenied(strict, "connect " + other.getLocalPort());
        } else {
            assertRefused(strict, "TCP port rules need Landlock ABI 4");
            SandboxedJvm.Result lenient = scenario("tcp best-effort", policy("best-effort", network), probe);
            assertExit(lenient, 0);
            assertWarned(lenient, "TCP port rules need Landlock ABI 4");
            assertTrue(infoLine(lenient).contains("not enforced"), infoLine(lenient));
            assertAllowed(lenient, "bind " + bindOther);
            assertAllowed(lenient, "connect " + other.getLocalPort());
        }
    }

    @Test
    void udpPortRules() throws IOException {
        DatagramSocket allowed = udpReceiver();
        DatagramSocket other = udpReceiver();
        int bindOk = freeUdpPort();
        int bindOther = freeUdpPort();
        // Port 0: the JDK binds an unbound datagram socket to an ephemeral port before it sends.
        String network = "\"network\": {\"udp\": {\"bind\": [0, %d], \"connect\": [%d]}}"
                .formatted(bindOk, allowed.getLocalPort());
        String[] probe = {"udp-bind", "" + bindOk, "udp-bind", "" + bindOther,
            "udp-send", "" + allowed.getLocalPort(), "udp-send", "" + other.getLocalPort()};
        SandboxedJvm.Result strict = scenario("udp strict", policy("strict", network), probe);
        if (ABI == 0) {
            assertFailsClosedWithoutLandlock(strict);
        } else if (ABI >= 10) {
            assertExit(strict, 0);
            assertAllowed(strict, "udp-bind " + bindOk);
            assertDenied(strict, "udp-bind " + bindOther);
            assertAllowed(strict, "udp-send " + allowed.getLocalPort());
            assertDenied(strict, "udp-send " + other.getLocalPort());
            for (String denied : List.of("udp-bind " + bindOther, "udp-send " + other.getLocalPort())) {
                String line = Probes.result(strict, denied);
                assertTrue(line.contains("(UDP) is not allowed by the landlock-agent policy")
                        && line.contains("\"udp\""), "the denial is explained: " + line);
            }
        } else {
            assertRefused(strict, "UDP port rules need Landlock ABI 10");
            SandboxedJvm.Result lenient = scenario("udp best-effort", policy("best-effort", network), probe);
            assertExit(lenient, 0);
            assertWarned(lenient, "UDP port rules need Landlock ABI 10");
            assertTrue(infoLine(lenient).contains("not enforced"), infoLine(lenient));
            assertAllowed(lenient, "udp-bind " + bindOther);
            assertAllowed(lenient, "udp-send " + other.getLocalPort());
        }
    }

    @Test
    void resolveUnixRules() throws IOException {
        Path allowedDir = Files.createDirectories(scratch.resolve("unix-allowed"));
        Path otherDir = Files.createDirectories(scratch.resolve("unix-other"));
        Path allowed = unixServer(allowedDir.resolve("s.sock"));
        Path other = unixServer(otherDir.resolve("s.sock"));
        String rules = """
                "filesystem": [{"path": "%s", "allow": ["resolve_unix"]}],
                "sockets": [{"domain": "unix", "type": "stream"}]""".formatted(allowedDir);
        String[] probe = {"unix-connect", allowed.toString(), "unix-connect", other.toString()};
        SandboxedJvm.Result strict = scenario("unix strict", policy("strict", rules), probe);
        if (ABI == 0) {
            assertFailsClosedWithoutLandlock(strict);
        } else if (ABI >= 9) {
            assertExit(strict, 0);
            assertAllowed(strict, "unix-connect " + allowed);
            assertDenied(strict, "unix-connect " + other);
        } else {
            assertRefused(strict, "resolve_unix");
            SandboxedJvm.Result lenient = scenario("unix best-effort", policy("best-effort", rules), probe);
            assertExit(lenient, 0);
            assertWarned(lenient, "resolve_unix");
            assertAllowed(lenient, "unix-connect " + allowed);
            assertAllowed(lenient, "unix-connect " + other);
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /**
     * Prints what the scenario gave (exit status, the agent's lines, the probe's results) as
     * SCENARIO lines, which KernelMatrixTest copies into its results.
     */
    private static SandboxedJvm.Result evidence(String scenario, SandboxedJvm.Result r) {
        StringBuilder b = new StringBuilder("SCENARIO " + scenario + ": exit " + r.exitCode());
        for (String l : r.stderrLines()) {
            if (r.exitCode() == 78 || l.startsWith("[landlock-agent] INFO") || l.startsWith("[landlock-agent] WARN")) {
                b.append("\n    ").append(l);
            }
        }
        for (String l : r.stdoutLines()) {
            // the inbound section's attempts are few and are the evidence the issue asks for
            if (l.startsWith("RESULT ") || (scenario.startsWith("inbound") && l.startsWith("ATTEMPT "))) {
                b.append("\n    ").append(l.length() > 220 ? l.substring(0, 220) + " ..." : l);
            }
        }
        System.out.println(b);
        return r;
    }

    private static SandboxedJvm.Result scenario(String name, String policy, String... probe) {
        return evidence(name, Probes.run(SandboxedJvm.withPolicyJson(policy), probe));
    }

    private static String policy(String compatibility, String rules) {
        return "{\"version\": 1, \"compatibility\": \"" + compatibility + "\", " + rules + "}";
    }

    private static String infoLine(SandboxedJvm.Result r) {
        return r.stderrLines().stream().filter(l -> l.contains(" INFO confined by ")).findFirst()
                .orElseThrow(() -> new AssertionError("no INFO line\n" + r.describe()));
    }

    /** Exit 78, one line naming why Landlock is missing, no stack trace, and the program never ran. */
    private static void assertFailsClosedWithoutLandlock(SandboxedJvm.Result r) {
        assertExit(r, 78);
        assertTrue(r.stderr().contains("Landlock is not available"), r.describe());
        String why = LandlockSupport.whyUnavailable();
        if (why != null && why.contains("EOPNOTSUPP")) {
            assertTrue(r.stderr().contains("disabled at boot: add landlock to lsm="), r.describe());
        }
        assertEquals(1, r.stderrLines().size(), r.describe());
        assertFalse(r.stdout().contains("RESULT"), r.describe());
    }

    /** Strict: exit 78 before main, with the reason. */
    private static void assertRefused(SandboxedJvm.Result r, String reason) {
        assertExit(r, 78);
        assertTrue(r.stderr().contains(reason), "expected '" + reason + "'\n" + r.describe());
        assertTrue(r.stderr().contains("\"compatibility\": \"best-effort\""), r.describe());
        assertFalse(r.stderr().contains("\tat "), r.describe());
        assertFalse(r.stdout().contains("RESULT"), r.describe());
    }

    private static void assertWarned(SandboxedJvm.Result r, String reason) {
        assertTrue(r.stderrLines().stream().anyMatch(l -> l.contains(" WARN ") && l.contains(reason)),
                "expected a WARN line with '" + reason + "'\n" + r.describe());
    }

    private static ServerSocket tcpServer() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        SERVERS.add(s);
        return s;
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static DatagramSocket udpReceiver() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SERVERS.add(s);
        return s;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    private static Path unixServer(Path path) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel c = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        c.bind(UnixDomainSocketAddress.of(path));
        SERVERS.add(c);
        return path;
    }
}
