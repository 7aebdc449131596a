package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.AccessNet;
import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.landlock.Scope;
import dev.landlockagent.policy.Policy;
import dev.landlockagent.policy.PolicyContext;
import dev.landlockagent.policy.PolicyException;
import dev.landlockagent.policy.PolicyParser;
import dev.landlockagent.linux.SocketNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each kernel ABI enforces of a policy, and what strict and best-effort do with the rest. */
class PlannerTest {
    @TempDir
    Path dir;

    private Policy policy(String json) throws PolicyException {
        PolicyContext ctx = PolicyContext.of(Path.of("/opt/jdk"), Path.of("/tmp"), Path.of("/home/u"), dir, null, dir, Map.of());
        return PolicyParser.parse(json.getBytes(StandardCharsets.UTF_8), "policy.json", ctx);
    }

    private JvmFacts facts() {
        return new JvmFacts(dir.resolve("jdk"), null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                null, dir, "user", DiagnosticFiles.NONE);
    }

    private RulesetPlan plan(String json, int abi) throws PolicyException {
        return Planner.plan(policy(json), KernelInfo.of(abi), facts());
    }

    @Test
    void everyRightOfTheKernelIsHandledSoWhatIsNotAllowedIsDenied() throws Exception {
        RulesetPlan p = plan("{\"version\": 1}", 7);
        assertEquals(LandlockAbi.of(7).fsRights(), p.handledFs());
        assertEquals(AccessNet.BIND_TCP.mask() | AccessNet.CONNECT_TCP.mask(), p.handledNet());
        assertEquals(Scope.ABSTRACT_UNIX_SOCKET.mask() | Scope.SIGNAL.mask(), p.scoped());
        assertEquals(List.of(), p.ports());
        assertEquals(SocketPlan.Mode.ALLOW_LIST, p.sockets().mode());
        assertTrue(p.sockets().allowed().isEmpty());
        assertFalse(p.sockets().allows(SocketNames.AF_INET6, SocketNames.SOCK_STREAM, 0));
        assertTrue(p.sockets().allowsSocketpair(SocketNames.AF_UNIX, SocketNames.SOCK_STREAM, 0),
                "the JDK's NIO socketpair stays possible");
    }

    @Test
    void aWildcardClassPathFolderMayBeListedAndNothingMore() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        JvmFacts facts = new JvmFacts(dir.resolve("jdk"), null, List.of(), List.of(lib), List.of(), List.of(), List.of(),
                List.of(), List.of(), null, dir, "user", DiagnosticFiles.NONE);
        RulesetPlan p = Planner.plan(policy("{\"version\": 1}"), KernelInfo.of(7), facts);
        assertEquals(AccessFs.READ_DIR.mask(), p.grantedAt(lib) & ~p.grantedAt(dir), p.paths().toString());
        assertEquals(0, p.grantedAt(lib.resolve("other.txt")) & AccessFs.READ_FILE.mask(), "no file in it is readable by that");
    }

    @Test
    void jvmNoneLeavesOutTheBaseline() throws Exception {
        Files.createDirectories(dir.resolve("jdk"));
        assertFalse(plan("{\"version\": 1}", 7).paths().isEmpty());
        RulesetPlan none = plan("{\"version\": 1, \"jvm\": \"none\"}", 7);
        assertTrue(none.paths().isEmpty(), none.paths().toString());
        assertTrue(none.sockets().socketpairOnly().isEmpty());
    }

    @Test
    void portsBecomeRulesAndAFullRangeMeansTheRightIsNotHandled() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"network\": {\"tcp\": {\"bind\": [8080, \"9000-9002\"], \"connect\": [\"0-65535\"]}}}", 4);
        assertEquals(AccessNet.BIND_TCP.mask(), p.handledNet());
        assertEquals(4, p.portCount(AccessNet.BIND_TCP));
        assertTrue(p.allowsPort(AccessNet.BIND_TCP, 9001));
        assertFalse(p.allowsPort(AccessNet.BIND_TCP, 9003));
        assertTrue(p.allowsPort(AccessNet.CONNECT_TCP, 1));
    }

    @Test
    void absentSocketsMeansWhatNetworkImplies() throws Exception {
        SocketPlan s = plan("{\"version\": 1, \"network\": {\"tcp\": {\"connect\": [443]}}}", 7).sockets();
        assertTrue(s.allows(SocketNames.AF_INET6, SocketNames.SOCK_STREAM, 0));
        assertTrue(s.allows(SocketNames.AF_INET, SocketNames.SOCK_STREAM, SocketNames.IPPROTO_TCP));
        assertFalse(s.allows(SocketNames.AF_INET6, SocketNames.SOCK_STREAM, SocketNames.IPPROTO_MPTCP), "no MPTCP bypass");
        assertFalse(s.allows(SocketNames.AF_INET, SocketNames.SOCK_DGRAM, 0), "no UDP");
        assertFalse(s.allows(SocketNames.AF_NETLINK, SocketNames.SOCK_RAW, 0), "no netlink");
        assertFalse(s.allows(SocketNames.AF_INET, SocketNames.SOCK_RAW, 1), "no raw");
    }

    @Test
    void strictRefusesAWildcardInetStreamRuleWhileTcpPortsAreRestricted() {
        PolicyException e = assertThrows(PolicyException.class, () -> plan("""
                {"version": 1, "network": {"tcp": {"connect": [443]}},
                 "sockets": [{"domain": "inet6", "type": "stream"}]}""", 7));
        assertTrue(e.getMessage().contains("sockets[0]"), e.getMessage());
        assertTrue(e.getMessage().contains("MPTCP"), e.getMessage());
        assertTrue(e.getMessage().contains("add \"protocol\": \"tcp\""), e.getMessage());
    }

    @Test
    void strictRefusesAnExplicitMptcpRuleAndBestEffortWarns() throws Exception {
        String rules = """
                "network": {"tcp": {"connect": [443]}},
                "sockets": [{"domain": "inet", "type": "stream", "protocol": "tcp"},
                            {"domain": "inet", "type": "stream", "protocol": "mptcp"}]}""";
        assertThrows(PolicyException.class, () -> plan("{\"version\": 1, " + rules, 7));
        RulesetPlan p = plan("{\"version\": 1, \"compatibility\": \"best-effort\", " + rules, 7);
        assertTrue(p.warnings().get(0).contains("MPTCP"), p.warnings().toString());
        assertTrue(p.sockets().allows(SocketNames.AF_INET, SocketNames.SOCK_STREAM, SocketNames.IPPROTO_MPTCP));
    }

    @Test
    void unrestrictedSocketsStillCloseTheTcpBypassWhenPortsAreRestricted() throws Exception {
        SocketPlan s = plan("{\"version\": 1, \"sockets\": \"unrestricted\", \"network\": {\"tcp\": {\"bind\": [80]}}}", 7).sockets();
        assertTrue(s.allows(SocketNames.AF_INET, SocketNames.SOCK_DGRAM, 0));
        assertTrue(s.allows(SocketNames.AF_NETLINK, SocketNames.SOCK_RAW, 0));
        assertFalse(s.allows(SocketNames.AF_INET6, SocketNames.SOCK_STREAM, SocketNames.IPPROTO_MPTCP));
        assertFalse(s.allows(SocketNames.AF_INET, SocketNames.SOCK_STREAM, SocketNames.IPPROTO_SCTP));
        assertFalse(s.allows(SocketNames.AF_SMC, SocketNames.SOCK_STREAM, 0));
        SocketPlan open = plan("{\"version\": 1, \"sockets\": \"unrestricted\", \"network\": \"unrestricted\"}", 7).sockets();
        assertFalse(open.restrictsCreation());
    }

    @Test
    void networkRulesThatNeedASocketKindTheListForbidsAreAConflict() {
        PolicyException e = assertThrows(PolicyException.class, () -> plan("""
                {"version": 1,
                 "network": {"tcp": {"connect": [443]}},
                 "sockets": [{"domain": "unix", "type": "stream"}]}""", 7));
        assertTrue(e.getMessage().contains("network.tcp"), e.getMessage());
        assertTrue(e.getMessage().contains("\"sockets\" at policy.json:3:13"), e.getMessage());
    }

    @Test
    void udpRulesAreRefusedBeforeAbi10AndEnforcedFromIt() throws Exception {
        String udp = "{\"version\": 1, \"network\": {\"udp\": {\"bind\": [5353]}}}";
        PolicyException e = assertThrows(PolicyException.class, () -> plan(udp, 7));
        assertTrue(e.getMessage().contains("UDP port rules need Landlock ABI 10 (Linux 7.2); this kernel has Landlock ABI 7"), e.getMessage());
        RulesetPlan p10 = plan(udp, 10);
        assertTrue(p10.handles(AccessNet.BIND_UDP));
        assertTrue(p10.allowsPort(AccessNet.BIND_UDP, 5353));
        assertFalse(p10.allowsPort(AccessNet.CONNECT_SEND_UDP, 53));
    }

    @Test
    void abi2HasNoNetworkRules() throws Exception {
        String withNetwork = "{\"version\": 1, \"network\": {\"tcp\": {\"connect\": [443]}}}";
        assertThrows(PolicyException.class, () -> plan(withNetwork, 2));
        RulesetPlan best = plan("{\"version\": 1, \"compatibility\": \"best-effort\", \"network\": {\"tcp\": {\"connect\": [443]}}}", 2);
        assertEquals(0, best.handledNet());
        assertTrue(best.notEnforced().contains("TCP ports"), best.notEnforced().toString());
        RulesetPlan noNetwork = plan("{\"version\": 1}", 2);
        assertTrue(noNetwork.notEnforced().contains("TCP ports"), "the INFO line says so");
        assertEquals(LandlockAbi.of(2).fsRights(), noNetwork.handledFs());
    }

    @Test
    void explicitScopesNeedAbi6ButDefaultScopesAreBestEffort() throws Exception {
        assertThrows(PolicyException.class, () -> plan("{\"version\": 1, \"scopes\": [\"signal\"]}", 5));
        RulesetPlan p = plan("{\"version\": 1}", 5);
        assertEquals(0, p.scoped());
        assertTrue(p.notEnforced().contains("scopes"));
    }

    @Test
    void rightsTheKernelLacksAreRefusedInStrictAndDroppedInBestEffort() throws Exception {
        Files.createDirectories(dir.resolve("sock"));
        String strict = "{\"version\": 1, \"filesystem\": [{\"path\": \"" + dir.resolve("sock") + "\", \"allow\": [\"resolve_unix\", \"read\"]}]}";
        PolicyException e = assertThrows(PolicyException.class, () -> plan(strict, 7));
        assertTrue(e.getMessage().contains("resolve_unix need Landlock ABI 9 (Linux 7.1)"), e.getMessage());
        RulesetPlan p = plan(strict.replace("\"version\": 1,", "\"version\": 1, \"compatibility\": \"best-effort\","), 7);
        PathGrant g = p.paths().stream().filter(PathGrant::fromPolicy).findFirst().orElseThrow();
        assertEquals(AccessFs.READ_FILE.mask() | AccessFs.READ_DIR.mask(), g.access());
        assertEquals(1, p.warnings().size());
    }

    @Test
    void noLandlockIsAlwaysRefusedEvenInBestEffort() {
        assertThrows(PolicyException.class, () -> plan("{\"version\": 1, \"compatibility\": \"best-effort\"}", 0));
    }

    @Test
    void dnsAllowsWhatNameResolutionNeeds() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"dns\": true, \"network\": {\"tcp\": {\"connect\": [443]}}}", 7);
        assertTrue(p.allowsPort(AccessNet.CONNECT_TCP, 53));
        assertTrue(p.sockets().allows(SocketNames.AF_INET, SocketNames.SOCK_DGRAM, 0));
        assertTrue(p.sockets().allows(SocketNames.AF_NETLINK, SocketNames.SOCK_RAW, SocketNames.NETLINK_ROUTE));
        assertFalse(p.sockets().allows(SocketNames.AF_NETLINK, SocketNames.SOCK_RAW, 9), "not netlink audit");
        if (Files.exists(Path.of("/etc/hosts"))) {
            assertTrue(p.paths().stream().anyMatch(g -> g.path().equals(Path.of("/etc/hosts"))), p.paths().toString());
        }
    }

    @Test
    void dnsHostsReadsTheHostsFileAndOpensNoSocket() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"dns\": \"hosts\", \"network\": {\"tcp\": {\"connect\": [443]}}}", 7);
        assertFalse(p.allowsPort(AccessNet.CONNECT_TCP, 53));
        assertFalse(p.sockets().allows(SocketNames.AF_INET, SocketNames.SOCK_DGRAM, 0));
        assertFalse(p.sockets().allows(SocketNames.AF_NETLINK, SocketNames.SOCK_RAW, SocketNames.NETLINK_ROUTE));
        if (Files.exists(Path.of("/etc/hosts"))) {
            assertEquals(AccessFs.READ_FILE.mask(), p.grantedAt(Path.of("/etc/hosts")) & AccessFs.READ_FILE.mask());
        }
        assertEquals(0, p.grantedAt(Path.of("/etc/resolv.conf")) & AccessFs.READ_FILE.mask(), "no DNS server is asked");
    }

    // ---------------------------------------------------------------- binding and listening

    @Test
    void aPolicyThatBindsNothingKeepsNeitherBindNorListen() throws Exception {
        RulesetPlan p = plan("""
                {"version": 1, "network": {"tcp": {"connect": [443]}},
                 "sockets": [{"domain": "unix", "type": ["stream", "dgram"]}, {"domain": "inet6", "type": "stream", "protocol": "tcp"}]}""", 7);
        assertFalse(p.listening().bind(), "bind(2)");
        assertFalse(p.listening().listen(), "listen(2)");
        assertFalse(p.listening().unix());
        assertFalse(p.summary().text().contains("abstract UNIX socket names"), p.summary().text());
    }

    @Test
    void tcpBindPortsKeepBindAndListenAndSayWhatTheKernelThenCannotStop() throws Exception {
        RulesetPlan p = plan("""
                {"version": 1, "network": {"tcp": {"bind": [8080]}},
                 "sockets": [{"domain": "unix", "type": "stream"}, {"domain": "inet6", "type": "stream", "protocol": "tcp"}]}""", 7);
        assertTrue(p.listening().bind());
        assertTrue(p.listening().listen());
        assertTrue(p.listening().listenOrigin().startsWith("network.tcp.bind at policy.json:"), p.listening().listenOrigin());
        assertTrue(p.summary().text().contains("abstract UNIX socket names can be bound and listened on"), p.summary().text());
        assertTrue(p.summary().text().contains("TCP listen(2) without bind"), p.summary().text());
    }

    @Test
    void unixListenKeepsBothAndMakeSockWhileWithoutItNoGrantKeepsMakeSock() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        String rules = """
                "filesystem": [{"path": "%s", "allow": ["read", "write"]}],
                "sockets": [{"domain": "unix", "type": "stream"}]""".formatted(run);
        RulesetPlan closed = plan("{\"version\": 1, " + rules + "}", 7);
        for (PathGrant g : closed.paths()) {
            assertEquals(0, g.access() & AccessFs.MAKE_SOCK.mask(), g.toString());
        }
        RulesetPlan open = plan("{\"version\": 1, \"network\": {\"unix\": {\"listen\": true}}, " + rules + "}", 7);
        assertTrue(open.listening().unix() && open.listening().bind() && open.listening().listen());
        assertTrue(open.paths().stream().anyMatch(g -> g.path().equals(run) && (g.access() & AccessFs.MAKE_SOCK.mask()) != 0));
    }

    @Test
    void udpSocketsBeforeAbi10KeepBindBecauseJavasDatagramSocketsBind() throws Exception {
        String json = """
                {"version": 1, "compatibility": "best-effort", "sockets": [{"domain": "inet", "type": "dgram", "protocol": "udp"}]}""";
        assertTrue(plan(json, 7).listening().bind());
        assertFalse(plan(json, 7).listening().listen());
        assertFalse(plan(json, 10).listening().bind(), "from ABI 10 the UDP bind rules decide, and there are none");
    }

    @Test
    void netlinkForDnsKeepsBindButNotListen() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"dns\": true}", 7);
        assertTrue(p.listening().bind(), "glibc binds its netlink socket");
        assertFalse(p.listening().listen());
    }

    @Test
    void anExplicitMakeSockWithoutUnixListenIsAConflict() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        PolicyException e = assertThrows(PolicyException.class, () -> plan("""
                {"version": 1, "filesystem": [{"path": "%s", "allow": ["make_sock"]}],
                 "sockets": [{"domain": "unix", "type": "stream"}]}""".formatted(run), 7));
        assertTrue(e.getMessage().contains("filesystem[0].allow") && e.getMessage().contains("\"unix\": {\"listen\": true}"),
                e.getMessage());
    }

    @Test
    void anExplicitListenFalseTheKernelCannotHoldIsRefusedInStrict() throws Exception {
        PolicyException e = assertThrows(PolicyException.class, () -> plan("""
                {"version": 1, "network": {"tcp": {"bind": [8080]}, "unix": {"listen": false}},
                 "sockets": [{"domain": "unix", "type": "stream"}, {"domain": "inet6", "type": "stream", "protocol": "tcp"}]}""", 7));
        assertTrue(e.getMessage().contains("network.unix.listen"), e.getMessage());
    }

    @Test
    void unixListenImpliesUnixSocketsAndConflictsWithAListThatHasNone() throws Exception {
        RulesetPlan p = plan("{\"version\": 1, \"network\": {\"unix\": {\"listen\": true}}}", 7);
        assertTrue(p.sockets().allows(SocketNames.AF_UNIX, SocketNames.SOCK_DGRAM, 0));
        PolicyException e = assertThrows(PolicyException.class, () -> plan("""
                {"version": 1, "network": {"unix": {"listen": true}}, "sockets": []}""", 7));
        assertTrue(e.getMessage().contains("allows no unix socket"), e.getMessage());
    }
}
