package dev.landlockagent.confine;

import dev.landlockagent.landlock.LandlockAbi;
import dev.landlockagent.plan.JvmFacts;
import dev.landlockagent.plan.KernelInfo;
import dev.landlockagent.plan.Planner;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.policy.PolicyContext;
import dev.landlockagent.policy.PolicyParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which descriptors the TSYNC path takes from the application: by what they name, as the re-exec path would. */
class InheritedDescriptorsTest {
    @TempDir
    Path dir;

    @Test
    void onlyWhatThePolicyWouldLetTheJvmOpenInThatModeSurvives() throws Exception {
        Path readable = Files.createDirectories(dir.resolve("readable"));
        Path jar = Files.writeString(readable.resolve("app.jar"), "jar");
        Path secret = Files.writeString(dir.resolve("secret.txt"), "secret");
        Path log = Files.writeString(dir.resolve("gc.log"), "");
        String json = "{\"version\": 1, \"jvm\": \"none\", \"filesystem\": [{\"path\": \"" + readable + "\", \"allow\": [\"read\"]}]}";
        RulesetPlan plan = Planner.plan(PolicyParser.parse(json.getBytes(StandardCharsets.UTF_8), "policy.json",
                        PolicyContext.of(dir, dir, dir, dir, null, dir, Map.of())),
                new KernelInfo(LandlockAbi.of(7)),
                new JvmFacts(dir.resolve("no-jdk"), null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null,
                        dir, "u", dev.landlockagent.plan.DiagnosticFiles.NONE));
        Map<Integer, InheritedDescriptors.Descriptor> open = new TreeMap<>();
        open.put(0, new InheritedDescriptors.Descriptor("/dev/null", 0));
        open.put(3, new InheritedDescriptors.Descriptor(jar.toString(), 0100000));                 // read: granted
        open.put(4, new InheritedDescriptors.Descriptor(jar.toString(), 0100001));                 // write: not granted
        open.put(5, new InheritedDescriptors.Descriptor(secret.toString(), 0100000));              // the shell's 7<secret, named by -D
        open.put(6, new InheritedDescriptors.Descriptor(log.toString(), 02102001));                // named by -Xlog
        open.put(7, new InheritedDescriptors.Descriptor("pipe:[20300]", 01));
        open.put(8, new InheritedDescriptors.Descriptor("socket:[4711]", 02));
        open.put(9, new InheritedDescriptors.Descriptor(secret.toString(), 010000000));            // O_PATH
        open.put(10, new InheritedDescriptors.Descriptor(readable + "/gone.txt (deleted)", 0));
        open.put(11, new InheritedDescriptors.Descriptor("/memfd:x (deleted)", 02));
        open.put(12, new InheritedDescriptors.Descriptor(readable.toString(), 0200000));            // a folder, read_dir
        List<String> options = List.of("-Xlog:gc:file=" + log, "-Xmx64m", "-Dsecret=" + secret);
        assertEquals(List.of(4, 5, 7, 8, 10, 11), InheritedDescriptors.unwanted(open, 3, plan, options));
        assertEquals(List.of(5, 7, 8, 10, 11), InheritedDescriptors.unwanted(open, 5, plan, options),
                "systemd's LISTEN_FDS (3 and 4 here) are kept");
    }
}
