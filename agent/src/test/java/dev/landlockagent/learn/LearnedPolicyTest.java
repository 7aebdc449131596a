package dev.landlockagent.learn;

import dev.landlockagent.landlock.AccessFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy a learn run writes from what it saw: the collapses of docs/learn.md, and merging. No kernel needed. */
class LearnedPolicyTest {
    private static final long READ_FILE = AccessFs.READ_FILE.mask();
    private static final Recording.Origin MAIN = new Recording.Origin("com.example.App.main (App.java:3)", "main");

    @TempDir
    Path dir;

    private Path real() throws Exception {
        return dir.toRealPath();
    }

    private LearnedPolicy.Context context(List<LearnRun.Grant> baseline) throws Exception {
        Map<String, Path> s = new LinkedHashMap<>();
        s.put("java.home", Path.of(System.getProperty("java.home")));
        s.put("java.io.tmpdir", Files.createDirectories(real().resolve("tmp")));
        s.put("user.home", Files.createDirectories(real().resolve("home")));
        s.put("user.dir", Files.createDirectories(real().resolve("work")));
        return new LearnedPolicy.Context(new LearnArgument(LearnArgument.Mode.LEARN, real().resolve("policy.json"), Duration.ZERO),
                baseline, s, 7, 1234);
    }

    private String write(Map<Need, Recording.Origin> needs, LearnedPolicy.Context ctx, String original) throws Exception {
        LearnedPolicy.write(needs, ctx, original == null ? null : original.getBytes(StandardCharsets.UTF_8), 0);
        return Files.readString(ctx.argument().policy());
    }

    private Path files(String folder, int n) throws Exception {
        Path f = Files.createDirectories(real().resolve(folder));
        for (int i = 0; i < n; i++) {
            Files.writeString(f.resolve("f" + i), "x");
        }
        return f;
    }

    @Test
    void eightFilesOnlyReadInOneFolderAreOneRuleAndSevenStayFileRules() throws Exception {
        Path many = files("many", 8);
        Path few = files("few", 7);
        Map<Need, Recording.Origin> needs = new LinkedHashMap<>();
        for (int i = 0; i < 8; i++) {
            needs.put(new Need.OnPath(many.resolve("f" + i), READ_FILE), MAIN);
        }
        for (int i = 0; i < 7; i++) {
            needs.put(new Need.OnPath(few.resolve("f" + i), READ_FILE), MAIN);
        }
        String json = write(needs, context(List.of()), null);
        assertTrue(json.contains("{\"path\": \"" + many + "\", \"allow\": [\"read_file\"]}"), json);
        assertFalse(json.contains(many.resolve("f0").toString()), json);
        assertTrue(json.contains("{\"path\": \"" + few.resolve("f6") + "\", \"allow\": [\"read\"]}"), json);
        assertFalse(json.contains("\"" + few + "\""), json);
    }

    @Test
    void whatTheRunMadeIsGrantedOnTheFolderThatExistedBeforeWithItsSubstitution() throws Exception {
        LearnedPolicy.Context ctx = context(List.of());
        Path tmp = ctx.substitutions().get("java.io.tmpdir");
        Path app = tmp.resolve("app123");
        Map<Need, Recording.Origin> needs = new LinkedHashMap<>();
        needs.put(new Need.Made(app), MAIN);
        needs.put(new Need.OnPath(tmp, AccessFs.MAKE_DIR.mask()), MAIN);
        needs.put(new Need.Made(app.resolve("x.txt")), MAIN);
        needs.put(new Need.OnPath(app, AccessFs.MAKE_REG.mask()), MAIN);
        needs.put(new Need.OnPath(app.resolve("x.txt"), AccessFs.WRITE_FILE.mask()), MAIN);
        String json = write(needs, ctx, null);
        assertTrue(json.contains("{\"path\": \"${java.io.tmpdir}\", \"allow\": [\"write_file\", \"make_dir\", \"make_reg\"]}"), json);
        assertFalse(json.contains("app123"), "a rule can only name what exists: " + json);
        String report = Files.readString(real().resolve("policy.report.md"));
        assertTrue(report.contains("| added | com.example.App.main (App.java:3) | main |"), report);
    }

    @Test
    void whatTheJvmBaselineGrantsStaysOut() throws Exception {
        Path lib = files("lib", 1);
        String json = write(Map.of(new Need.OnPath(lib.resolve("f0"), READ_FILE), MAIN),
                context(List.of(new LearnRun.Grant(lib, READ_FILE | AccessFs.READ_DIR.mask()))), null);
        assertFalse(json.contains("filesystem"), json);
    }

    @Test
    void askingDnsServersIsDnsTrueWithoutItsFilesAndSockets() throws Exception {
        Map<Need, Recording.Origin> needs = new LinkedHashMap<>();
        needs.put(new Need.Resolver(), MAIN);
        needs.put(new Need.Socket(2, 2, 0, false), MAIN);
        if (Files.exists(Path.of("/etc/resolv.conf"))) {
            needs.put(new Need.OnPath(Path.of("/etc/resolv.conf").toRealPath(), READ_FILE), MAIN);
        }
        String json = write(needs, context(List.of()), null);
        assertTrue(json.contains("\"dns\": true"), json);
        assertFalse(json.contains("sockets") || json.contains("resolv.conf"), json);
    }

    @Test
    void anEphemeralBindIsPortZeroAndTheSocketKindsNetworkImpliesAreNotListed() throws Exception {
        Map<Need, Recording.Origin> needs = new LinkedHashMap<>();
        needs.put(new Need.Socket(10, 1, 0, false), MAIN);
        needs.put(new Need.Port("tcp", "bind", 0), MAIN);
        needs.put(new Need.Port("tcp", "connect", 5432), MAIN);
        String json = write(needs, context(List.of()), null);
        assertTrue(json.contains("\"network\": {\"tcp\": {\"bind\": [0], \"connect\": [5432]}}"), json);
        assertFalse(json.contains("sockets"), json);
    }

    @Test
    void mergingWidensARuleOnTheSamePathAndSaysSoAndKeepsEverythingElse() throws Exception {
        Path f = files("data", 1).resolve("f0");
        String original = "{\"version\": 1,\n \"filesystem\": [{\"path\": \"" + f + "\", \"allow\": [\"read\"]}],\n"
                + " \"network\": {\"tcp\": {\"connect\": [443]}}}";
        Files.writeString(real().resolve("policy.json"), original);
        LearnedPolicy.Result r = LearnedPolicy.write(Map.of(new Need.OnPath(f, READ_FILE | AccessFs.WRITE_FILE.mask()), MAIN),
                context(List.of()), original.getBytes(StandardCharsets.UTF_8), 0);
        String json = Files.readString(real().resolve("policy.json"));
        assertTrue(json.contains("{\"path\": \"" + f + "\", \"allow\": [\"read\", \"write_file\"]}"), json);
        assertTrue(json.contains("\"connect\": [443]"), json);
        assertEquals(1, json.split("\"path\"").length - 1, "widened in place, not added: " + json);
        assertTrue(String.join("\n", r.summary()).contains("widened (was [\"read\"]): {\"path\": \"" + f), r.summary().toString());
    }

    @Test
    void aNeedThePolicyAlreadyAllowsChangesNothing() throws Exception {
        Path data = files("data", 1);
        String original = "{\"version\": 1, \"filesystem\": [{\"path\": \"" + data + "\", \"allow\": [\"read\"]}]}";
        LearnedPolicy.Result r = LearnedPolicy.write(Map.of(new Need.OnPath(data.resolve("f0"), READ_FILE), MAIN),
                context(List.of()), original.getBytes(StandardCharsets.UTF_8), 0);
        assertTrue(r.summary().get(0).contains("0 rule(s) added"), r.summary().toString());
    }
}
