package dev.landlockagent.it;

import dev.landlockagent.it.apps.ExitingPlugin;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy's {@code "exit"} rule, in the plugin-host sample with a plugin that tries to end it:
 * the plugin's System.exit and Runtime.halt throw a SecurityException naming the rule, from its
 * own thread and from a lambda too; the host's own System.exit, the end of main and SIGTERM still
 * end the JVM; a plugin the rule names may exit.
 */
@RequiresLandlock
class ExitRuleTest {
    private static final String HOST = "dev.landlockagent.samples.pluginhost.PluginHost";

    @TempDir
    static Path tmp;

    private static Path plugin() throws IOException {
        Path jar = tmp.resolve("exiting-plugin.jar");
        if (Files.exists(jar)) {
            return jar;
        }
        tmp.toFile().setReadable(true, false); // for the run as another user
        tmp.toFile().setExecutable(true, false);
        return Probes.pluginJar(jar, ExitingPlugin.class);
    }

    private static Path policy(String exit) throws IOException {
        Path p = Files.createTempFile(tmp, "policy", ".json");
        Files.writeString(p, "{\"version\": 1,\n \"filesystem\": [{\"path\": \"" + plugin() + "\", \"allow\": [\"read\"]}],\n"
                + " \"exit\": " + exit + "}\n");
        p.toFile().setReadable(true, false);
        plugin().toFile().setReadable(true, false);
        return p;
    }

    /** The plugin-host sample under {@code policy}, the plugin trying {@code mode}; the woven JDK verified. */
    /** The agent jar where uid 65534 can read it too: the build's may lie in a local Maven repository under /root. */
    private static SandboxedJvm.Running host(Path policy, String mode, SandboxedJvm jvm) throws IOException {
        return jvm.start(List.of(SandboxedJvm.java().toString(),
                "-javaagent:" + SandboxedJvm.readableByAnyone(SandboxedJvm.defaultAgentJar()) + "=" + policy,
                "-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal", "-Dexiting.plugin=" + mode,
                "-jar", SamplesTest.jar("plugin-host").toString(), plugin().toString()));
    }

    private static SandboxedJvm.Result host(Path policy, String mode) throws IOException {
        return host(policy, mode, SandboxedJvm.unconfined()).await();
    }

    @Test
    void aPluginsSystemExitIsRefusedWithTheRuleAndTheHostEndsItselfAsItChooses() throws Exception {
        Path policy = policy("\"deny\"");
        SandboxedJvm.Result r = host(policy, "exit");
        assertEquals(1, r.exitCode(), "the host's own System.exit(1): " + r.describe());
        assertTrue(r.stdout().contains("plugin failed: java.lang.SecurityException: System.exit(3) from "
                + ExitingPlugin.class.getName() + ".run (ExitingPlugin.java:"), r.describe());
        assertTrue(r.stdout().contains("is not allowed by the landlock-agent policy " + policy + ". It allows exit to the JDK,"
                + " the main class " + HOST + " (\"exit\" at line 3). To allow this, add to \"exit\": {\"allow\": [\""
                + ExitingPlugin.class.getName() + "\"]}"), r.describe());
        assertTrue(r.stdout().contains("the host is still fine; it exits with status 1"), r.describe());
        assertEquals(List.of("[landlock-agent] WARN denied System.exit(3) from " + ExitingPlugin.class.getName()),
                r.stderrLines().stream().filter(l -> l.contains("WARN")).map(l -> l.substring(0, l.indexOf(".run ("))).toList(),
                r.describe());
    }

    @Test
    void haltFromAThreadOfItsOwnAndFromALambdaAreRefusedToo() throws Exception {
        Path policy = policy("\"deny\"");
        SandboxedJvm.Result halt = host(policy, "halt");
        assertEquals(1, halt.exitCode(), halt.describe());
        assertTrue(halt.stdout().contains("plugin failed: java.lang.SecurityException: Runtime.halt(4) from "), halt.describe());

        SandboxedJvm.Result thread = host(policy, "thread");
        assertEquals(0, thread.exitCode(), "main returned: " + thread.describe());
        assertTrue(thread.stdout().contains("[plugin] my thread could not end the host")
                && thread.stdout().contains("plugin finished; the host is still fine"), thread.describe());
        assertTrue(thread.stderr().contains("Exception in thread \"plugin-thread\" java.lang.SecurityException: System.exit(5) from "
                + ExitingPlugin.class.getName() + ".lambda$run$0"), thread.describe());
        assertTrue(thread.stderr().contains("\tat java.base/java.lang.Runtime.exit(Runtime.java)")
                && !thread.stderr().contains("ExitControl"), "the trace starts at Runtime.exit: " + thread.describe());

        SandboxedJvm.Result hidden = host(policy, "hidden");
        assertEquals(1, hidden.exitCode(), hidden.describe());
        assertTrue(hidden.stdout().contains("SecurityException: System.exit(6) from " + ExitingPlugin.class.getName()), hidden.describe());
    }

    @Test
    void aPluginTheRuleNamesMayEndTheJvm() throws Exception {
        SandboxedJvm.Result r = host(policy("{\"allow\": [\"" + ExitingPlugin.class.getName() + "\"]}"), "exit");
        assertEquals(3, r.exitCode(), r.describe());
        assertFalse(r.stdout().contains("plugin failed"), r.describe());
        SandboxedJvm.Result pkg = host(policy("{\"allow\": [\"dev.landlockagent.it.*\"]}"), "halt");
        assertEquals(4, pkg.exitCode(), pkg.describe());
    }

    @Test
    void aSuggestRunWritesTheExitRuleThatWouldHaveLetThePluginExit() throws Exception {
        Path policy = policy("\"deny\"");
        SandboxedJvm.Result suggest = SandboxedJvm.unconfined().start(List.of(SandboxedJvm.java().toString(),
                "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=suggest:" + policy, "-Dexiting.plugin=exit",
                "-jar", SamplesTest.jar("plugin-host").toString(), plugin().toString())).await();
        assertEquals(1, suggest.exitCode(), suggest.describe());
        Path fragment = policy.resolveSibling(policy.getFileName().toString().replace(".json", ".suggested.json"));
        String suggested = Files.readString(fragment);
        assertTrue(suggested.contains("\"exit\": {\"allow\": [\"" + ExitingPlugin.class.getName() + "\"]}"), suggested);
    }

    @Test
    void theJvmStillEndsWhenMainReturnsAndOnSigtermAndForAnOrdinaryUser() throws Exception {
        Path policy = policy("\"deny\"");
        SandboxedJvm.Result returned = SandboxedJvm.withPolicy(policy).classpath(Probes.testClasses())
                .run(Sleeper.class.getName(), "return");
        assertEquals(0, returned.exitCode(), returned.describe());
        assertTrue(returned.stdout().contains("returning"), returned.describe());

        SandboxedJvm.Running sleeping = SandboxedJvm.withPolicy(policy).classpath(Probes.testClasses())
                .start(Sleeper.class.getName());
        sleeping.awaitLine("sleeping", Duration.ofSeconds(30));
        sleeping.terminate();
        assertEquals(143, sleeping.await().exitCode(), "SIGTERM ends it as always");

        SandboxedJvm.Result nobody = host(policy, "exit", SandboxedJvm.unconfined().asUser(65534, 65534)).await();
        assertEquals(1, nobody.exitCode(), nobody.describe());
        assertTrue(nobody.stdout().contains("plugin failed: java.lang.SecurityException: System.exit(3)"), nobody.describe());
    }

    @Test
    void anExitRuleThatIsNotOneStopsTheJvmWithItsLineAndFix() throws Exception {
        for (String bad : List.of("\"maybe\"", "{\"allow\": [\"com..Bad\"]}", "{\"deny\": []}")) {
            SandboxedJvm.Result r = host(policy(bad), "exit");
            assertEquals(78, r.exitCode(), r.describe());
            assertTrue(r.stderr().contains(":3:") && r.stderr().contains("exit"), bad + ": " + r.describe());
            assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.describe());
        }
    }

    /** Prints "sleeping" and sleeps until it is ended; with "return", returns from main at once. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            if (args.length > 0 && args[0].equals("return")) {
                System.out.println("returning");
                return;
            }
            System.out.println("sleeping");
            Thread.sleep(Duration.ofMinutes(5));
        }
    }
}
