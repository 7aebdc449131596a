package dev.landlockagent.explain;

import dev.landlockagent.instrument.Operation;
import dev.landlockagent.plan.JvmFacts;
import dev.landlockagent.plan.KernelInfo;
import dev.landlockagent.plan.Planner;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.policy.PolicyContext;
import dev.landlockagent.policy.PolicyParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a denied operation's explanation says, judged against a plan made without a kernel. */
class DenialExplainerTest {
    /** A folder with a stable name: a suggested rule names it as it is (a random one it would not). */
    Path dir;

    @org.junit.jupiter.api.BeforeEach
    void stableFolder(TestInfo test) throws Exception {
        dir = Path.of("target", "denial-explainer", test.getTestMethod().orElseThrow().getName()).toAbsolutePath();
        if (Files.exists(dir)) {
            try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
    }

    private RulesetPlan plan(String json) throws Exception {
        return plan(json, 7);
    }

    private RulesetPlan plan(String json, int abi) throws Exception {
        PolicyContext ctx = PolicyContext.of(Path.of("/opt/jdk"), dir, dir, dir, null, dir, Map.of());
        JvmFacts facts = new JvmFacts(dir.resolve("jdk"), null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), null, dir, "user", dev.landlockagent.plan.DiagnosticFiles.NONE);
        return Planner.plan(PolicyParser.parse(json.getBytes(StandardCharsets.UTF_8), "policy.json", ctx),
                KernelInfo.of(abi), facts);
    }

    /**
     * A stable path as a suggested rule writes it: itself, or, inside java.io.tmpdir (a checkout
     * under /tmp), with ${java.io.tmpdir}.
     */
    private static String asWritten(Path p) throws Exception {
        Path real = p.toRealPath();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
        return real.startsWith(tmp) ? "${java.io.tmpdir}/" + tmp.relativize(real) : real.toString();
    }

    private static Denial explain(RulesetPlan plan, Operation op, Object... argsAndThrown) {
        return DenialExplainer.explain(op, argsAndThrown, plan, (Throwable) argsAndThrown[argsAndThrown.length - 1]);
    }

    private static SocketException eacces() {
        return new SocketException("Permission denied");
    }

    @Test
    void aDeniedDatagramSocketNamesItsKindAndTheSocketsRuleToAdd() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"sockets\": [{\"domain\": \"inet\", \"type\": \"stream\", \"protocol\": \"tcp\"}]}");
        Denial d = explain(p, Operation.NET_SOCKET, StandardProtocolFamily.INET, false, eacces());
        assertTrue(d.byPolicy());
        assertEquals("socket(AF_INET, SOCK_DGRAM, 0)", d.what());
        assertEquals("{\"domain\": \"inet\", \"type\": \"dgram\", \"protocol\": \"udp\"}", d.rule());
        assertEquals("\"sockets\"", d.where());
        assertEquals("sockets: inet/stream/tcp", d.allowed());
        assertEquals("dgram", d.facts().type());
    }

    @Test
    void aSocketThePolicyAllowsIsDeniedElsewhereAndSaysWhere() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"sockets\": [{\"domain\": \"inet\", \"type\": \"dgram\"}]}");
        Denial d = explain(p, Operation.NET_SOCKET, StandardProtocolFamily.INET, false, eacces());
        assertFalse(d.byPolicy());
        assertTrue(d.message("policy.json").contains("allows this, so the denial comes from elsewhere (another LSM"),
                d.message("policy.json"));
    }

    @Test
    void aConnectOutsideThePortListNamesTheAddressThePortsAllowedAndTheRuleToMerge() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"network\": {\"tcp\": {\"connect\": [443]}}}");
        Denial d = explain(p, Operation.NET_CONNECT, StandardProtocolFamily.INET, InetAddress.getByName("127.0.0.1"), 5432,
                eacces());
        assertEquals("connect to 127.0.0.1:5432 (TCP)", d.what());
        assertEquals("TCP connect to ports 443", d.allowed());
        assertEquals("{\"network\": {\"tcp\": {\"connect\": [5432]}}}", d.rule());
        assertEquals(5432, d.facts().port());
        assertEquals("127.0.0.1", d.facts().address());
    }

    @Test
    void aPrivilegedPortThePortRulesAllowNeedsTheCapabilityThePolicyDoesNotKeep() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"network\": {\"tcp\": {\"bind\": [80]}}}");
        Denial d = explain(p, Operation.NET_BIND, StandardProtocolFamily.INET, InetAddress.getByName("0.0.0.0"), 80, eacces());
        assertTrue(d.byPolicy());
        assertTrue(d.what().contains("ports below 1024 need CAP_NET_BIND_SERVICE"), d.what());
        assertEquals("\"net_bind_service\"", d.rule());
        assertEquals("net_bind_service", d.facts().capability());
    }

    @Test
    void anUnconnectedDatagramIsWordedAsASend() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"compatibility\": \"best-effort\", \"network\": {\"udp\": {\"connect\": [53]}}}", 10);
        Denial d = explain(p, Operation.UDP_SEND, new InetSocketAddress(InetAddress.getByName("10.0.0.5"), 9999), eacces());
        assertEquals("send to 10.0.0.5:9999 (UDP)", d.what());
        assertEquals("{\"network\": {\"udp\": {\"connect\": [9999]}}}", d.rule());
    }

    @Test
    void aUnixSocketBoundWithoutListeningNamesTheListenKey() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"filesystem\": [{\"path\": \"" + dir + "\", \"allow\": [\"read\", \"write\"]}]}");
        Denial d = explain(p, Operation.UNIX_BIND, dir.resolve("app.sock"), eacces());
        assertTrue(d.byPolicy());
        assertEquals("{\"network\": {\"unix\": {\"listen\": true}}}", d.rule());
        assertEquals("\"network\" (merge)", d.where(), "the folder is writable: nothing else to add");
    }

    @Test
    void aFileReadOutsideTheGrantsNamesTheFileAndTheReadGroup() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "x");
        Files.createDirectories(dir.resolve("data"));
        RulesetPlan p = plan("{\"version\": 1, \"filesystem\": [{\"path\": \"" + dir.resolve("data") + "\", \"allow\": [\"read\"]}]}");
        Denial d = explain(p, Operation.FILE_READ, secret.toString(), new FileNotFoundException(secret + " (Permission denied)"));
        assertTrue(d.byPolicy());
        assertEquals("{\"path\": \"" + asWritten(secret) + "\", \"allow\": [\"read\"]}", d.rule());
        assertEquals("read_file", d.facts().missing());
    }

    @Test
    void writingAFileThatDoesNotExistYetNeedsMakeRegOnItsFolderAndSuggestsTheWriteGroup() throws Exception {
        RulesetPlan p = plan("{\"version\": 1}");
        Path file = dir.resolve("new.log");
        Denial d = explain(p, Operation.FILE_WRITE, file.toString(), true, new FileNotFoundException(file + " (Permission denied)"));
        assertTrue(d.what().contains("the file does not exist yet"), d.what());
        assertEquals("{\"path\": \"" + asWritten(dir) + "\", \"allow\": [\"write\"]}", d.rule());
        assertEquals("make_reg", d.facts().missing());
    }

    @Test
    void aNioCreateDirectoryNeedsMakeDirOnTheParent() throws Exception {
        RulesetPlan p = plan("{\"version\": 1}");
        Path sub = dir.resolve("cache");
        Denial d = FileDenials.nio(p, "createDirectory", sub.toString(), null, new AccessDeniedException(sub.toString()));
        assertEquals("create folder " + sub + " (needs make_dir on " + dir.toRealPath() + ")", d.what());
        assertEquals("create folders in " + dir.toRealPath(), d.facts().operation());
    }

    @Test
    void aTemporaryFolderIsSuggestedAsTheTemporaryFolderNeverByItsRandomName(@TempDir Path random) throws Exception {
        RulesetPlan p = plan("{\"version\": 1}");
        Path work = random.resolve("tomcat.18082.16897771234/work");
        Denial d = FileDenials.nio(p, "createTempDirectory", work.toString(), null, new AccessDeniedException(work.toString()));
        assertEquals("create folder " + work + " (needs make_dir on " + work.getParent() + ")", d.what());
        String tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath().toString();
        assertTrue(random.toRealPath().startsWith(tmp), "JUnit's @TempDir is in java.io.tmpdir");
        assertTrue(d.rule().startsWith("{\"path\": \"${java.io.tmpdir}\""), "junit-NNN is random, so the rule is on the folder above: " + d.rule());
        Denial file = explain(p, Operation.FILE_WRITE, "/srv/app/upload-3f9a2c71e0b4.part", false,
                new FileNotFoundException("/srv/app/upload-3f9a2c71e0b4.part (Permission denied)"));
        assertTrue(file.rule().startsWith("{\"path\": \"/srv/app\""), file.rule());
    }

    @Test
    void generatedNamesAreToldFromChosenOnes() {
        for (String generated : new String[] {"tomcat.18082.1689777", "start_17751234.properties", "junit-6768936602888954379",
                "3f2b9c1e-8d4a-4f6b-9e2a-1c0d5b7a8e9f", "tmp.Xk3pQ9aZ2", "hsperf_ab12cd34ef"}) {
            assertTrue(FileAccess.looksGenerated(generated), generated);
        }
        for (String chosen : new String[] {"logs", "kafka-logs", "jdk-25.0.3", "data-0", "server.log.1", "cache2", "tomcat.8080",
                "application.properties", "WEB-INF"}) {
            assertFalse(FileAccess.looksGenerated(chosen), chosen);
        }
    }

    @Test
    void aHostThatCannotBeResolvedWithoutDnsNamesTheDnsKey() throws Exception {
        Denial d = explain(plan("{\"version\": 1}"), Operation.DNS_LOOKUP, "db.internal", new UnknownHostException("db.internal"));
        assertEquals("resolve db.internal (reading /etc/hosts and UDP sockets for DNS not allowed)", d.what());
        assertEquals("\"dns\": true", d.rule());
        assertEquals("db.internal", d.facts().host());
    }

    @Test
    void theHostsOwnNameNeedsOnlyTheHostsFileAndTheFixSaysSoOnce() throws Exception {
        String own = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        Denial d = explain(plan("{\"version\": 1}"), Operation.DNS_LOOKUP, own, new UnknownHostException(own));
        assertEquals("\"dns\": \"hosts\"", d.rule());
        assertTrue(d.what().contains("reading /etc/hosts not allowed"), d.what());
        Throwable t = ExplainedException.of(new UnknownHostException(own + ": Name or service not known"),
                d.message("policy.json"), Operation.DNS_LOOKUP, true);
        String m = t.getMessage();
        assertEquals(m.indexOf("\"dns\": \"hosts\""), m.lastIndexOf("\"dns\": \"hosts\""), "the fix once: " + m);
    }

    @Test
    void withTheHostsFileOnlyANameItLacksNeedsDnsServers() throws Exception {
        Denial d = explain(plan("{\"version\": 1, \"dns\": \"hosts\"}"), Operation.DNS_LOOKUP, "db.internal",
                new UnknownHostException("db.internal"));
        assertEquals("resolve db.internal (UDP sockets for DNS not allowed)", d.what());
        assertEquals("the names in /etc/hosts only", d.allowed());
        assertEquals("\"dns\": true", d.rule());
        assertNull(explain(plan("{\"version\": 1, \"dns\": \"hosts\"}"), Operation.DNS_LOOKUP, "localhost",
                new UnknownHostException("localhost")), "a name the file holds is not the policy's doing");
    }

    @Test
    void aHostThePolicyCouldResolveIsNotExplained() throws Exception {
        assertNull(explain(plan("{\"version\": 1, \"dns\": true}"), Operation.DNS_LOOKUP, "nowhere.invalid",
                new UnknownHostException("nowhere.invalid")));
    }

    @Test
    void theReplacementKeepsTheJdksExceptionClassItsFormAndItsStackTrace() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "x");
        RulesetPlan p = plan("{\"version\": 1}");
        FileNotFoundException jdk = new FileNotFoundException(secret + " (Permission denied)");
        Throwable t = new DenialExplainer(() -> new ExplainContext("policy.json", p))
                .apply(Operation.FILE_READ.id(), new Object[] {secret.toString(), jdk});
        FileNotFoundException replaced = assertInstanceOf(FileNotFoundException.class, t);
        assertTrue(replaced.getMessage().startsWith(secret + " (Permission denied: open for reading of " + secret),
                replaced.getMessage());
        assertTrue(replaced.getMessage().endsWith("add to \"filesystem\": {\"path\": \"" + asWritten(secret)
                + "\", \"allow\": [\"read\"]})"), replaced.getMessage());
        assertArrayEquals(jdk.getStackTrace(), replaced.getStackTrace());
    }

    @Test
    void anAccessDeniedExceptionStaysOneWithItsFile() throws Exception {
        RulesetPlan p = plan("{\"version\": 1}");
        Path sub = dir.resolve("cache");
        Throwable t = ExplainedException.of(new AccessDeniedException(sub.toString()), "why", Operation.FILE_NIO, true);
        AccessDeniedException ade = assertInstanceOf(AccessDeniedException.class, t);
        assertEquals(sub.toString(), ade.getFile());
        assertEquals("Permission denied: why", ade.getReason());
    }

    @Test
    void aFailureThatIsNotAPermissionDenialKeepsTheJdksException() throws Exception {
        RulesetPlan p = plan("{\"version\": 1}");
        Object[] args = {StandardProtocolFamily.INET, InetAddress.getByName("127.0.0.1"), 1, new ConnectException("Connection refused")};
        assertNull(new DenialExplainer(() -> new ExplainContext("policy.json", p)).apply(Operation.NET_CONNECT.id(), args));
    }

    @Test
    void anOperationTheExplainerDoesNotKnowKeepsTheJdksException() {
        assertNull(new DenialExplainer(() -> null).apply("net.teleport", new Object[] {eacces()}));
    }

    @Test
    void withoutThePlanThatIsEnforcedNothingIsExplainedAndThePlanIsNotAskedAgain() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        DenialExplainer explainer = new DenialExplainer(() -> {
            asked.incrementAndGet();
            return null;
        });
        Path secret = Files.writeString(dir.resolve("secret.txt"), "x");
        for (int i = 0; i < 3; i++) {
            assertNull(explainer.apply(Operation.FILE_READ.id(),
                    new Object[] {secret.toString(), new FileNotFoundException(secret + " (Permission denied)")}));
        }
        assertEquals(1, asked.get());
    }
}
