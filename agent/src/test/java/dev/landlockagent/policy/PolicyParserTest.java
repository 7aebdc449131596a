package dev.landlockagent.policy;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyParserTest {
    @TempDir
    Path dir;

    private PolicyContext ctx() {
        return PolicyContext.of(Path.of("/opt/jdk"), Path.of("/tmp"), Path.of("/home/u"), dir, dir.resolve("app"), dir,
                Map.of("DATA", dir.toString()));
    }

    private Policy parse(String json) throws PolicyException {
        return PolicyParser.parse(json.getBytes(StandardCharsets.UTF_8), "policy.json", ctx());
    }

    private PolicyException refused(String json) {
        return assertThrows(PolicyException.class, () -> parse(json));
    }

    private static PolicyProblem only(PolicyException e) {
        assertEquals(1, e.problems().size(), e.getMessage());
        return e.problems().get(0);
    }

    @Test
    void exitIsUncontrolledByDefaultAndDenyOrAListControlsIt() throws Exception {
        assertFalse(parse("{\"version\": 1}").exit().controlled());
        assertFalse(parse("{\"version\": 1, \"exit\": \"allow\"}").exit().controlled());
        Policy.ExitRule deny = parse("{\"version\": 1,\n \"exit\": \"deny\"}").exit();
        assertTrue(deny.controlled());
        assertEquals(List.of(), deny.allowed());
        assertEquals(2, deny.at().line());
        Policy.ExitRule listed = parse("{\"version\": 1, \"exit\": {\"allow\": [\"com.example.Main\", \"org.apache.maven.surefire.*\"]}}").exit();
        assertEquals(List.of("com.example.Main", "org.apache.maven.surefire.*"), listed.allowed());
        assertTrue(listed.names("com.example.Main") && listed.names("com.example.Main$1")
                && listed.names("com.example.Main$$Lambda/0x000001") && !listed.names("com.example.MainX"));
        assertTrue(listed.names("org.apache.maven.surefire.booter.ForkedBooter") && !listed.names("org.apache.maven.surefirex.A"));
    }

    @Test
    void anExitRuleThatIsNotOneNamesItsKeyAndTheFix() {
        PolicyProblem word = only(refused("{\"version\": 1, \"exit\": \"maybe\"}"));
        assertEquals("exit", word.key());
        assertTrue(word.fix().contains("\"exit\": \"deny\""), word.fix());
        for (String bad : List.of("\"com..Bad\"", "\"1com.Bad\"", "\"com.*.Bad\"", "3")) {
            PolicyProblem p = only(refused("{\"version\": 1, \"exit\": {\"allow\": [" + bad + "]}}"));
            assertEquals("exit.allow[0]", p.key(), bad);
        }
        assertEquals("exit.deny", only(refused("{\"version\": 1, \"exit\": {\"deny\": []}}")).key());
    }

    @Test
    void aWordInAPortListIsOneProblemNotTwo() {
        for (String bad : new String[] {"\"unrestricted\"", "\"http\"", "\"x-y\"", "\"80-y\""}) {
            PolicyProblem p = only(refused("{\"version\": 1, \"network\": {\"tcp\": {\"bind\": [" + bad + "]}}}"));
            assertEquals("network.tcp.bind[0]", p.key(), bad);
            assertTrue(p.problem().contains("is not a port"), p.problem());
        }
    }

    @Test
    void theIssuesExamplePolicyParses() throws Exception {
        Files.createDirectories(dir.resolve("app/data"));
        Policy p = parse("""
                {
                  "version": 1,
                  "compatibility": "strict",
                  "jvm": "auto",
                  "filesystem": [
                    {"path": "${app.dir}/data", "allow": ["read", "write"]},
                    {"path": "/does/not/exist/certs", "allow": ["read"], "optional": true}
                  ],
                  "network": {"tcp": {"bind": [8080], "connect": [443, "5432-5433"]}},
                  "sockets": [{"domain": "inet6", "type": "stream", "protocol": "tcp"}],
                  "scopes": ["abstract-unix-socket", "signal"]
                }""");
        assertEquals(Policy.Compatibility.STRICT, p.compatibility());
        Policy.FilesystemRules fs = assertInstanceOf(Policy.FilesystemRules.class, p.filesystem());
        assertEquals(2, fs.rules().size());
        Policy.PathRule data = fs.rules().get(0);
        assertEquals(dir.resolve("app/data"), data.path());
        assertEquals(AccessNames.READ | AccessNames.WRITE, data.access());
        assertTrue(data.directory());
        assertFalse(fs.rules().get(1).exists());
        Policy.PortRules net = assertInstanceOf(Policy.PortRules.class, p.network());
        Policy.Ports connect = (Policy.Ports) net.tcp().connect();
        assertEquals(List.of(new Policy.PortRange(443, 443, "network.tcp.connect[0]", connect.ranges().get(0).at()),
                new Policy.PortRange(5432, 5433, "network.tcp.connect[1]", connect.ranges().get(1).at())), connect.ranges());
        assertNull(net.udp());
        Policy.SocketRules sockets = assertInstanceOf(Policy.SocketRules.class, p.sockets());
        assertEquals(List.of(10), sockets.rules().get(0).domains());
        assertEquals(6, sockets.rules().get(0).protocol());
        assertEquals(Set.of(Scope.ABSTRACT_UNIX_SOCKET, Scope.SIGNAL), p.scopes().scopes());
        assertTrue(p.scopes().explicit());
    }

    @Test
    void absentKeysMeanNothingIsAllowedExceptTheJvmBaseline() throws Exception {
        Policy p = parse("{\"version\": 1}");
        assertEquals(Policy.JvmBaseline.AUTO, p.jvm());
        assertEquals(List.of(), ((Policy.FilesystemRules) p.filesystem()).rules());
        assertEquals(Policy.PortRules.ABSENT, p.network());
        assertInstanceOf(Policy.ImpliedSockets.class, p.sockets());
        assertFalse(p.scopes().explicit());
        assertEquals(Set.of(Scope.values()), p.scopes().scopes());
        assertFalse(p.dns().readsHostsFile());
    }

    @Test
    void unrestrictedIsAcceptedForEachKind() throws Exception {
        Policy p = parse("{\"version\": 1, \"filesystem\": \"unrestricted\", \"network\": \"unrestricted\", \"sockets\": \"unrestricted\"}");
        assertInstanceOf(Policy.UnrestrictedFilesystem.class, p.filesystem());
        assertInstanceOf(Policy.UnrestrictedNetwork.class, p.network());
        assertInstanceOf(Policy.UnrestrictedSockets.class, p.sockets());
    }

    @Test
    void groupsOnAFileAreNarrowedToFileRights() throws Exception {
        Path f = Files.writeString(dir.resolve("f.txt"), "x");
        Policy p = parse("{\"version\": 1, \"filesystem\": [{\"path\": \"" + f + "\", \"allow\": [\"read\", \"write\"]}]}");
        long access = ((Policy.FilesystemRules) p.filesystem()).rules().get(0).access();
        assertEquals(AccessFs.READ_FILE.mask() | AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask(), access);
    }

    @Test
    void aFolderOnlyRightOnAFileIsRefusedWithTheFix() throws Exception {
        Path f = Files.writeString(dir.resolve("f.txt"), "x");
        PolicyProblem p = only(refused("{\"version\": 1, \"filesystem\": [{\"path\": \"" + f + "\", \"allow\": [\"make_reg\"]}]}"));
        assertEquals("filesystem[0].allow[0]", p.key());
        assertTrue(p.problem().contains("applies to folders"), p.toString());
        assertTrue(p.fix().contains("put the rule on the folder"), p.toString());
    }

    @Test
    void relativePathsResolveAgainstThePolicyFolder() throws Exception {
        Files.createDirectories(dir.resolve("rel"));
        Policy p = parse("{\"version\": 1, \"filesystem\": [{\"path\": \"rel\", \"allow\": \"read\"}]}");
        assertEquals(dir.resolve("rel"), ((Policy.FilesystemRules) p.filesystem()).rules().get(0).path());
    }

    @Test
    void substitutionsExpandAndUnknownOnesAreRefused() throws Exception {
        Policy p = parse("{\"version\": 1, \"filesystem\": [{\"path\": \"${env:DATA}\", \"allow\": \"read\"}]}");
        assertEquals(dir, ((Policy.FilesystemRules) p.filesystem()).rules().get(0).path());
        PolicyProblem unknown = only(refused("{\"version\": 1, \"filesystem\": [{\"path\": \"${java.hom}/x\", \"allow\": \"read\"}]}"));
        assertTrue(unknown.problem().contains("unknown substitution ${java.hom}"), unknown.toString());
        assertTrue(unknown.fix().contains("did you mean ${java.home}"), unknown.toString());
        PolicyProblem unset = only(refused("{\"version\": 1, \"filesystem\": [{\"path\": \"${env:NOPE}\", \"allow\": \"read\"}]}"));
        assertTrue(unset.problem().contains("NOPE is not set"), unset.toString());
    }

    @Test
    void everyProblemIsReportedWithItsOwnLocation() {
        PolicyException e = refused("""
                {"version": 1,
                 "compatibility": "lenient",
                 "network": {"tcp": {"bind": [-1, "80-79", 65536, 1.5]}},
                 "scopes": ["signals"]}""");
        assertEquals(6, e.problems().size(), e.getMessage());
        assertEquals("compatibility", e.problems().get(0).key());
        assertEquals(2, e.problems().get(0).at().line());
        assertEquals(19, e.problems().get(0).at().column());
        assertTrue(e.getMessage().contains("policy.json:3:31: network.tcp.bind[0]: port -1 is outside 0..65535"), e.getMessage());
        assertTrue(e.getMessage().contains("network.tcp.bind[1]: range \"80-79\" is reversed. Fix: write \"79-80\""), e.getMessage());
        assertTrue(e.getMessage().contains("network.tcp.bind[3]: port 1.5 is not a whole number"), e.getMessage());
        assertTrue(e.getMessage().contains("scopes[0]: unknown scope \"signals\". Fix: did you mean \"signal\"?"), e.getMessage());
    }

    @Test
    void socketRulesAcceptNamesNumbersAndLists() throws Exception {
        Policy p = parse("""
                {"version": 1, "sockets": [
                  {"domain": ["inet", "inet6"], "type": "stream", "protocol": "tcp"},
                  {"domain": 16, "type": ["raw", 2], "protocol": "route"},
                  {"domain": "unix", "type": "stream"}
                ]}""");
        List<Policy.SocketRule> rules = ((Policy.SocketRules) p.sockets()).rules();
        assertEquals(List.of(2, 10), rules.get(0).domains());
        assertEquals(List.of(3, 2), rules.get(1).types());
        assertEquals(0, rules.get(1).protocol());
        assertNull(rules.get(2).protocol());
    }

    @Test
    void socketRuleMistakesAreExplained() {
        assertTrue(only(refused("{\"version\": 1, \"sockets\": [{\"domain\": \"inte6\", \"type\": \"stream\"}]}"))
                .fix().contains("did you mean \"inet6\""));
        assertTrue(only(refused("{\"version\": 1, \"sockets\": [{\"domain\": \"inet\", \"type\": \"dgram\", \"protocol\": \"tcp\"}]}"))
                .problem().contains("tcp sockets are stream sockets"));
        assertTrue(only(refused("{\"version\": 1, \"sockets\": [{\"domain\": [\"unix\", \"inet\"], \"type\": \"stream\", \"protocol\": \"tcp\"}]}"))
                .problem().contains("means nothing for domain unix"));
        assertTrue(only(refused("{\"version\": 1, \"sockets\": [{\"type\": \"stream\"}]}")).problem().contains("no \"domain\""));
    }

    @Test
    void unixListeningIsABooleanUnderNetworkAndItsMistakesAreLocated() throws Exception {
        Policy p = parse("{\"version\": 1, \"network\": {\"unix\": {\"listen\": true}}}");
        assertTrue(((Policy.PortRules) p.network()).unix().listen());
        assertEquals(null, ((Policy.PortRules) parse("{\"version\": 1}").network()).unix());
        PolicyProblem word = only(refused("{\"version\": 1,\n \"network\": {\"unix\": {\"listen\": \"yes\"}}}"));
        assertEquals("network.unix.listen", word.key());
        assertEquals("policy.json:2:33", word.at().toString());
        assertTrue(word.problem().contains("must be true or false"), word.problem());
        PolicyProblem typo = only(refused("{\"version\": 1, \"network\": {\"unix\": {\"lisen\": true}}}"));
        assertTrue(typo.fix().contains("\"listen\""), typo.fix());
    }

    @Test
    void capabilitiesAreNamedAsInCapabilities7AndNoneIsTheDefault() throws Exception {
        assertEquals(Set.of(), parse("{\"version\": 1}").capabilities().kept());
        Policy p = parse("{\"version\": 1, \"capabilities\": [\"net_bind_service\", \"CAP_CHOWN\", \"Sys_Nice\"]}");
        assertEquals(Set.of(dev.landlockagent.linux.Capability.NET_BIND_SERVICE, dev.landlockagent.linux.Capability.CHOWN,
                dev.landlockagent.linux.Capability.SYS_NICE), p.capabilities().kept());
        PolicyProblem typo = only(refused("{\"version\": 1,\n \"capabilities\": [\"net_bind_servce\"]}"));
        assertEquals("capabilities[0]", typo.key());
        assertEquals("policy.json:2:19", typo.at().toString());
        assertTrue(typo.fix().contains("did you mean \"net_bind_service\""), typo.fix());
        assertTrue(only(refused("{\"version\": 1, \"capabilities\": \"all\"}")).problem().contains("must be a list"));
    }

    @Test
    void privilegedSyscallsAreAllowedByNameOrGroupAndOtherNamesAreExplained() throws Exception {
        assertEquals(Set.of("perf_event_open", "@keyring"),
                parse("{\"version\": 1, \"syscalls\": {\"allow\": [\"perf_event_open\", \"@keyring\"]}}").syscalls().allowed());
        PolicyProblem typo = only(refused("{\"version\": 1, \"syscalls\": {\"allow\": [\"perf_event_opn\"]}}"));
        assertEquals("syscalls.allow[0]", typo.key());
        assertTrue(typo.fix().contains("did you mean \"perf_event_open\""), typo.fix());
        PolicyProblem ordinary = only(refused("{\"version\": 1, \"syscalls\": {\"allow\": [\"read\"]}}"));
        assertTrue(ordinary.problem().contains("every other syscall is allowed already"), ordinary.problem());
        PolicyProblem partly = only(refused("{\"version\": 1, \"syscalls\": {\"allow\": [\"chmod\"]}}"));
        assertTrue(partly.problem().contains("only its use to set the setuid or setgid bit"), partly.problem());
        assertTrue(partly.fix().contains("\"@setid-modes\""), partly.fix());
        assertTrue(only(refused("{\"version\": 1, \"syscalls\": {\"deny\": []}}")).problem().contains("unknown key \"deny\""));
    }

    @Test
    void dnsIsTrueFalseOrHostsAndAnythingElseNamesTheChoices() throws Exception {
        assertEquals(Policy.Dns.Mode.HOSTS, parse("{\"version\": 1, \"dns\": \"hosts\"}").dns().mode());
        assertEquals(Policy.Dns.Mode.FULL, parse("{\"version\": 1, \"dns\": true}").dns().mode());
        assertEquals(Policy.Dns.Mode.OFF, parse("{\"version\": 1, \"dns\": false}").dns().mode());
        PolicyProblem p = only(refused("{\"version\": 1,\n  \"dns\": \"host\"}"));
        assertEquals(2, p.at().line());
        assertTrue(p.problem().contains("must be true, false or \"hosts\", not \"host\""), p.toString());
        assertTrue(p.fix().contains("\"dns\": \"hosts\" to resolve the names in /etc/hosts only"), p.fix());
    }

    @Test
    void syntaxErrorsPointAtTheirLineAndColumn() {
        PolicyProblem p = only(refused("{\n  \"version\": 1,\n  \"dns\": tru\n}"));
        assertEquals(3, p.at().line());
        PolicyProblem trailing = only(refused("{\"version\": 1,}"));
        assertEquals(1, trailing.at().line());
        PolicyProblem dup = only(refused("{\"version\": 1,\n  \"version\": 1}"));
        assertEquals(2, dup.at().line());
        assertEquals(3, dup.at().column());
        assertTrue(dup.problem().contains("first at line 1, column 2"), dup.toString());
        assertTrue(only(refused("")).problem().contains("empty"));
        assertTrue(only(refused("[]")).problem().contains("must be a JSON object"));
        assertTrue(only(refused("{\"version\": 1} {}")).problem().contains("after the top-level value"));
    }

    @Test
    void invalidUtf8AndDeepNestingAreRefusedNotCrashedOn() {
        byte[] bad = {'{', '"', 'v', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyParser.parse(bad, "p.json", ctx()));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        String deep = "{\"version\": 1, \"x\": " + "[".repeat(100) + "]".repeat(100) + "}";
        PolicyException nested = refused(deep);
        assertTrue(nested.getMessage().contains("Nesting limit") || nested.getMessage().contains("nest"), nested.getMessage());
    }

    @Test
    void aByteOrderMarkDoesNotShiftColumns() throws IOException {
        byte[] withBom = ("\uFEFF{\"version\": 2}").getBytes(StandardCharsets.UTF_8);
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyParser.parse(withBom, "p.json", ctx()));
        assertEquals(14, e.problems().get(0).at().column(), e.getMessage());
    }
}
