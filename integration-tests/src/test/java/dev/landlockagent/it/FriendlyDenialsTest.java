package dev.landlockagent.it;

import dev.landlockagent.it.probe.DenialProbe;
import dev.landlockagent.it.probe.SocketProbe;
import dev.landlockagent.junit.SandboxedJvm;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.landlockagent.it.Probes.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A denied operation throws the exception the JDK would have thrown (same class, so existing catch
 * blocks behave as before), with a message that names the operation in kernel terms, the policy
 * and the rule to add; it is logged once at WARN and recorded as a JFR event.
 */
@RequiresLandlock(abi = 4)
class FriendlyDenialsTest {
    private ServerSocket listener;
    @TempDir
    Path tmp;

    @BeforeEach
    void listen() throws IOException {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void close() throws IOException {
        listener.close();
    }

    private SandboxedJvm.Result probe(String policy, String... commands) throws IOException {
        Path p = Files.writeString(tmp.resolve("policy.json"), policy);
        // The JVM does not verify java.base's classes unless asked: ask, so that a stack map frame the
        // weaver got wrong fails here as a VerifyError rather than somewhere as undefined behaviour.
        return SandboxedJvm.withPolicy(p).classpath(Probes.testClasses())
                .jvmOptions("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal")
                .run(DenialProbe.class.getName(), commands);
    }

    private static String field(String resultLine, int index) {
        String body = resultLine.substring(resultLine.indexOf(' ', "RESULT ".length() + 1) + 1);
        String[] parts = body.split("\\|", -1);
        return index < parts.length ? parts[index] : "";
    }

    @Test
    void socketCreationDeniedThroughEveryPublicApiNamesTheTripleThePolicyAndTheRule() throws IOException {
        List<String> cmds = new ArrayList<>();
        for (String api : SocketProbe.API_NAMES) {
            cmds.addAll(List.of("api", api, Integer.toString(listener.getLocalPort())));
        }
        SandboxedJvm.Result r = probe("{\"version\": 1}", cmds.toArray(String[]::new));
        Path policy = tmp.resolve("policy.json");
        for (String api : SocketProbe.API_NAMES) {
            String line = result(r, "api " + api + " ");
            String type = field(line, 0).replace("api " + api + " ", "").strip();
            String message = field(line, 1);
            assertTrue(line.contains("java.net.BindException") || line.contains("java.net.SocketException")
                            || line.contains("java.io.IOException"), api + ": the JDK's own exception class: " + line);
            assertTrue(message.startsWith("Permission denied: socket(AF_"), api + ": " + line);
            assertTrue(message.contains("is not allowed by the landlock-agent policy " + policy), api + ": " + line);
            assertTrue(message.contains("It allows sockets: none"), api + ": " + line);
            assertTrue(message.contains("To allow this, add to \"sockets\": {\"domain\": "), api + ": " + line);
            assertFalse(type.isEmpty());
        }
        // With no socket at all, libnet's probes fail and the JVM uses AF_INET.
        assertTrue(r.stderr().contains("[landlock-agent] WARN denied socket(AF_INET, SOCK_STREAM, 0) by policy " + policy),
                r.stderr());
        assertTrue(r.stderr().contains("[landlock-agent] WARN denied socket(AF_UNIX, SOCK_STREAM, 0)"), r.stderr());
        assertTrue(r.stderr().contains("{\"domain\": \"unix\", \"type\": \"stream\"}"), r.stderr());
    }

    @Test
    void deniedConnectAndBindNameThePortAndTheRuleAndKeepTheJdksExceptionClass() throws IOException {
        int other = listener.getLocalPort();
        SandboxedJvm.Result r = probe("{\"version\": 1, \"network\": {\"tcp\": {\"connect\": [1], \"bind\": [2]}}}",
                "api", "socket", Integer.toString(other), "api", "socket-channel", Integer.toString(other),
                "api", "async-socket-channel", Integer.toString(other), "bind", "3",
                "http-client", Integer.toString(other), "http-url", Integer.toString(other));
        for (String label : List.of("api socket ", "api socket-channel ", "api async-socket-channel ")) {
            String line = result(r, label);
            assertTrue(line.contains("Permission denied: connect to 127.0.0.1:" + other + " (TCP) is not allowed"), line);
            assertTrue(line.contains("It allows TCP connect to ports 1."), line);
            assertTrue(line.contains("{\"network\": {\"tcp\": {\"connect\": [" + other + "]}}}"), line);
        }
        assertTrue(result(r, "api socket ").contains("java.net.BindException"), "EACCES on connect is a BindException in the JDK");
        String bind = result(r, "bind");
        assertEquals("java.net.BindException", field(bind, 0).replace("bind ", "").strip());
        assertTrue(bind.contains("Permission denied: bind to port 3 (TCP) is not allowed"), bind);
        assertTrue(bind.contains("{\"network\": {\"tcp\": {\"bind\": [3]}}}"), bind);
        String http = result(r, "http-client");
        assertTrue(http.contains("connect to 127.0.0.1:" + other + " (TCP) is not allowed"),
                "HttpClient carries the explanation (as cause or message): " + http);
        String url = result(r, "http-url");
        assertTrue(url.contains("connect to 127.0.0.1:" + other + " (TCP) is not allowed"), url);
    }

    /**
     * A UNIX server socket under a policy that may write the folder but not listen: the rule to add
     * is network.unix.listen, never make_sock alone (which would be refused at the next start);
     * with it, the same bind works.
     */
    @Test
    void aDeniedUnixBindNamesUnixListeningAndWorksOnceThePolicyHasIt() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        String rules = """
                "filesystem": [{"path": "%s", "allow": ["read", "write"]}],
                "sockets": [{"domain": "unix", "type": "stream"}]""".formatted(run);
        SandboxedJvm.Result r = probe("{\"version\": 1, " + rules + "}", "unix-bind", run.resolve("s.sock").toString());
        String line = result(r, "unix-bind");
        assertTrue(line.contains("bind to " + run.resolve("s.sock") + " (UNIX) is not allowed by the landlock-agent policy"), line);
        assertTrue(line.contains("add to \"network\" (merge): {\"network\": {\"unix\": {\"listen\": true}}}"), line);
        assertFalse(line.contains("make_sock"), "the folder is writable: listen is all it lacks: " + line);
        SandboxedJvm.Result ok = probe("{\"version\": 1, \"network\": {\"unix\": {\"listen\": true}}, " + rules + "}",
                "unix-bind", run.resolve("s.sock").toString());
        assertTrue(result(ok, "unix-bind").endsWith(" OK"), ok.describe());
    }

    /**
     * Files.createTempDirectory (Tomcat's work folder, so every Spring Boot web application) makes a
     * random name: the suggested rule must name the temporary folder, so that it still exists, is
     * accepted, and works at the next start.
     */
    @Test
    void aTemporaryFolderDenialSuggestsARuleThatWorksAtTheNextStart() throws IOException {
        SandboxedJvm.Result denied = probe("{\"version\": 1}", "await-explanations", "temp-dir", "tomcat.8080.");
        String line = result(denied, "temp-dir");
        // The rule is {"path": "...", "allow": [...]}: up to the first "]}" after the place it goes.
        java.util.regex.Matcher rule = java.util.regex.Pattern.compile("add to \"filesystem\": (\\{.*?\\]\\})").matcher(line);
        assertTrue(rule.find(), line);
        assertTrue(rule.group(1).startsWith("{\"path\": \"${java.io.tmpdir}\""), "not the random name: " + line);
        assertFalse(line.contains("needs write_file, read_file"), "a folder is made, not a file opened: " + line);
        SandboxedJvm.Result fixed = probe("{\"version\": 1, \"filesystem\": [" + rule.group(1) + "]}", "temp-dir", "tomcat.8080.");
        assertTrue(result(fixed, "temp-dir").endsWith(" OK"), fixed.describe());
    }

    /**
     * A client of a file-serving endpoint chooses the paths: 200 denied files of one folder must be
     * one WARN line and a count, not 200 lines.
     */
    @Test
    void manyDeniedFilesOfOneFolderAreOneWarnLineAndACount() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("served"));
        for (int k = 0; k < 200; k++) {
            Files.writeString(dir.resolve("f" + k + ".txt"), "x");
        }
        SandboxedJvm.Result r = probe("{\"version\": 1}", "await-explanations", "read-many", dir.toString(), "200");
        assertEquals("RESULT read-many denied 200", result(r, "read-many"));
        long warns = r.stderrLines().stream().filter(l -> l.startsWith("[landlock-agent] WARN denied open for reading")).count();
        assertEquals(1, warns, r.stderr());
        assertTrue(r.stderr().contains("WARN denied 200 times in all: open for reading of " + dir.resolve("f0.txt")), r.stderr());
    }

    /**
     * SecureRandom's seeding lists java.io.tmpdir and goes on without it (every Tomcat start met
     * it): no WARN advising a wider policy; at DEBUG, it is named harmless.
     */
    @Test
    void theJdksOwnCaughtProbesAdviseNoWiderPolicy() throws IOException {
        SandboxedJvm.Result r = probe("{\"version\": 1}", "await-explanations", "sha1prng");
        assertTrue(result(r, "sha1prng").endsWith(" OK"), r.describe());
        assertTrue(r.denialWarnings().isEmpty(), "no WARN: " + r.describe());
        Path p = Files.writeString(tmp.resolve("policy.json"), "{\"version\": 1}");
        SandboxedJvm.Result debug = SandboxedJvm.withPolicy(p).classpath(Probes.testClasses()).jvmOptions("-Dlandlock.log=debug")
                .run(DenialProbe.class.getName(), "await-explanations", "sha1prng");
        assertTrue(debug.stderr().contains("harmless, SecureRandom's seeding lists java.io.tmpdir"), debug.describe());
    }

    /**
     * Two funnels outside the socket and file APIs that real servers meet: the interface list
     * (Kafka, gRPC, Hazelcast), whose native code opens datagram sockets, and System.load
     * (Netty's native transports), whose dlopen fails with EACCES.
     */
    @Test
    void networkInterfacesAndNativeLibrariesAreNamed() throws IOException {
        Path system = Path.of("/usr/lib/x86_64-linux-gnu/libbz2.so.1.0");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(system), "no " + system + " to load");
        Path lib = Files.copy(system, Files.createDirectories(tmp.resolve("native")).resolve("libsample.so"));
        SandboxedJvm.Result r = probe("{\"version\": 1}", "await-explanations", "nics", "load-library", lib.toString());
        String nics = result(r, "nics");
        assertTrue(nics.contains("java.net.SocketException|Permission denied: list the network interfaces")
                && nics.contains("add to \"sockets\": {\"domain\": "), nics);
        String load = result(r, "load-library");
        assertTrue(load.contains("java.lang.UnsatisfiedLinkError|" + lib + ": ") && load.contains("cannot open shared object file")
                && load.contains("(landlock-agent: load native library " + lib + " (needs read_file on " + lib + ")"), load);
        SandboxedJvm.Result allowed = probe("{\"version\": 1, \"filesystem\": [{\"path\": \"" + lib.getParent()
                + "\", \"allow\": [\"read\"]}]}", "load-library", lib.toString());
        assertTrue(result(allowed, "load-library").endsWith(" OK"), allowed.describe());
    }

    /**
     * java.io.File's boolean methods fail with false (or null) and no errno: Tomcat's "Unable to
     * create the directory" had no word from the agent. Each now has a WARN naming the operation and
     * the rule, where the plan is why; the return values stay the JDK's; a failure the plan does not
     * explain (a missing file) says nothing.
     */
    @Test
    void javaIoFilesBooleanMethodsAreNamedAndReturnWhatTheyReturned() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("legacy"));
        Files.writeString(dir.resolve("existing.txt"), "x");
        SandboxedJvm.Result r = probe("{\"version\": 1, \"filesystem\": [{\"path\": \"" + dir + "\", \"allow\": [\"read_file\"]}]}",
                "await-explanations", "io-file", dir.toString());
        assertEquals("RESULT io-mkdir false", result(r, "io-mkdir"));
        assertEquals("RESULT io-mkdirs false", result(r, "io-mkdirs"));
        assertEquals("RESULT io-delete false", result(r, "io-delete"));
        assertEquals("RESULT io-rename false", result(r, "io-rename"));
        assertEquals("RESULT io-list null", result(r, "io-list"));
        assertEquals("RESULT io-delete-missing false", result(r, "io-delete-missing"));
        String err = r.stderr();
        assertTrue(err.contains("WARN denied create folder " + dir.resolve("sub") + " (File.mkdir returned false) (needs make_dir on "
                + dir + ")"), err);
        assertTrue(err.contains("WARN denied delete " + dir.resolve("existing.txt") + " (File.delete returned false) (needs remove_file"), err);
        assertTrue(err.contains("WARN denied list folder " + dir + " (File.list returned null) (needs read_dir"), err);
        assertFalse(err.contains("missing.txt"), "a missing file is no denial: " + err);
        assertTrue(result(r, "io-create").contains("java.io.IOException|Permission denied: create " + dir.resolve("new.txt")
                + " (needs make_reg on " + dir + ")"), result(r, "io-create"));
    }

    @Test
    void deniedFileAccessNamesThePathTheMissingRightsAndTheRule() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(dir.resolve("existing.txt"), "hello");
        // The file streams were loaded before the agent: a denial through them is explained once the
        // agent's warm-up has retransformed them, about 0.1 s after start (README, Limits).
        SandboxedJvm.Result r = probe("{\"version\": 1}", "await-explanations", "files", dir.toString());
        String read = result(r, "files-readString");
        assertEquals("java.nio.file.AccessDeniedException", field(read, 0).replace("files-readString ", "").strip(), read);
        assertTrue(read.contains(dir.resolve("existing.txt") + ": Permission denied: read " + dir.resolve("existing.txt")
                + " (needs read_file on " + dir.resolve("existing.txt") + ")"), read);
        // JUnit's folder (junit-NNN) is a random name: the rule goes on the temporary folder above it.
        assertTrue(read.contains("{\"path\": \"${java.io.tmpdir}\", \"allow\": [\"read\"]}"), read);
        String create = result(r, "files-writeString");
        assertTrue(create.contains("needs make_reg on " + dir), create);
        String mkdir = result(r, "files-createDirectory");
        assertTrue(mkdir.contains("needs make_dir on " + dir), mkdir);
        String delete = result(r, "files-delete");
        assertTrue(delete.contains("needs remove_file on " + dir), delete);
        String fis = result(r, "file-input-stream");
        assertTrue(fis.contains("java.io.FileNotFoundException|" + dir.resolve("existing.txt") + " (Permission denied: "), fis);
        assertTrue(fis.contains("needs read_file"), fis);
        String fos = result(r, "file-output-stream");
        assertTrue(fos.contains("java.io.FileNotFoundException") && fos.contains("needs make_reg on " + dir), fos);
        assertTrue(result(r, "random-access-r").contains("needs read_file"), result(r, "random-access-r"));
        String rw = result(r, "random-access-rw");
        assertTrue(rw.contains("needs write_file, read_file") || rw.contains("needs read_file, write_file")
                || rw.contains("write_file"), rw);
    }

    /**
     * Sandboxes nest: an outer confined JVM starts a JVM with its own policy, which allows reading
     * a folder the outer policy denies. The inner JVM's explainer must not blame its own policy.
     */
    @Test
    void aDenialThePolicyAllowsIsBlamedOnSomethingElse() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("existing.txt"), "hello");
        Path inner = Files.writeString(tmp.resolve("inner.json"),
                "{\"version\": 1, \"filesystem\": [{\"path\": \"" + data + "\", \"allow\": [\"read\"]}]}");
        List<String> child = SandboxedJvm.withPolicy(inner).classpath(Probes.testClasses())
                .command(DenialProbe.class.getName(), "files", data.toString());
        // The child JVM reads its own /proc/<pid>, which the outer baseline (its own pid) does not cover.
        String outer = "{\"version\": 1, \"filesystem\": [{\"path\": \"/proc\", \"allow\": [\"read\"]},"
                + " {\"path\": \"" + inner + "\", \"allow\": [\"read\"]}]}";
        List<String> cmd = new ArrayList<>(List.of("child"));
        cmd.addAll(child);
        Path p = Files.writeString(tmp.resolve("outer.json"), outer);
        SandboxedJvm.Result r = SandboxedJvm.withPolicy(p).classpath(Probes.testClasses())
                .run(SocketProbe.class.getName(), cmd.toArray(String[]::new));
        String line = result(r, "child");
        assertTrue(line.contains("RESULT files-readString java.nio.file.AccessDeniedException"), line + "\n" + r.describe());
        assertTrue(line.contains("the landlock-agent policy " + inner + " allows this, so the denial comes from elsewhere"),
                line + "\n" + r.describe());
    }

    @Test
    void eachDenialIsAJfrEvent() throws Exception {
        Path recordings = Files.createDirectories(tmp.resolve("jfr"));
        Path jfr = recordings.resolve("denials.jfr");
        String policy = "{\"version\": 1, \"filesystem\": [{\"path\": \"" + recordings + "\", \"allow\": [\"read\", \"write\"]}]}";
        Path p = Files.writeString(tmp.resolve("policy.json"), policy);
        SandboxedJvm.Result r = SandboxedJvm.withPolicy(p).classpath(Probes.testClasses())
                .jvmOptions("-XX:StartFlightRecording=filename=" + jfr + ",settings=default",
                        "-XX:FlightRecorderOptions=repository=" + recordings, "-Dlandlock.log=warn")
                .run(DenialProbe.class.getName(), "api", "datagram-channel", "0");
        assertTrue(Files.exists(jfr), r.describe());
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("landlock.Denial")).toList();
        assertEquals(1, events.size(), r.describe());
        RecordedEvent e = events.get(0);
        assertEquals("socket", e.getString("operation"));
        assertEquals("dgram", e.getString("type"));
        assertTrue(e.getBoolean("byPolicy"));
        assertTrue(e.getString("rule").contains("\"type\": \"dgram\""), e.toString());
        assertEquals(p.toString(), e.getString("policy"));
    }

    @Test
    void theInstrumentedJdkClassesPassTheBytecodeVerifier() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("v"));
        Files.writeString(dir.resolve("existing.txt"), "hello");
        Path p = Files.writeString(tmp.resolve("policy.json"), "{\"version\": 1}");
        SandboxedJvm.Result r = SandboxedJvm.withPolicy(p).classpath(Probes.testClasses())
                .jvmOptions("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal")
                .run(DenialProbe.class.getName(), "api", "socket", "1", "bind", "3", "files", dir.toString());
        assertEquals(0, r.exitCode(), r.describe());
        assertFalse(r.stderr().contains("VerifyError"), r.stderr());
        assertTrue(result(r, "bind").contains("is not allowed"), r.describe());
        assertTrue(result(r, "file-input-stream").contains("needs read_file"), r.describe());
    }
}
