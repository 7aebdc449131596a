package dev.landlockagent.confine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the agent reads the JVM's command line: where the launcher's options end and what they name. */
class CommandLineTest {
    private static CommandLine of(String... args) {
        StringBuilder b = new StringBuilder();
        for (String a : args) {
            b.append(a).append('\0');
        }
        return CommandLine.parse(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theMainClassEndsWhatTheLauncherReadsAndTheArgumentsAfterItAreTheApplications() {
        CommandLine c = of("/jdk/bin/java", "-cp", "app.jar:lib/x.jar", "-Dk=v", "com.example.Main", "-cp", "not-ours");
        assertEquals(List.of("-cp", "app.jar:lib/x.jar", "-Dk=v", "com.example.Main"), c.launcherOptions());
        assertEquals(4, c.mainIndex());
        assertEquals(5, c.firstAppArg());
        assertFalse(c.moduleMain());
    }

    @Test
    void aJarOrAModuleIsTheMainWithTheArgumentThatFollowsIt() {
        CommandLine jar = of("java", "-Xmx1g", "-jar", "app.jar", "--port", "8080");
        assertEquals(2, jar.mainIndex());
        assertEquals(4, jar.firstAppArg());
        CommandLine module = of("java", "--limit-modules", "java.base", "-m", "app/app.Main", "x");
        assertTrue(module.moduleMain());
        assertTrue(module.limitsModules());
        assertEquals(List.of("--limit-modules", "java.base"), module.launcherOptions().subList(0, 2));
        assertTrue(of("java", "--module=app/app.Main").moduleMain());
    }

    @Test
    void agentsAndArgFilesAreFoundAmongTheLauncherOptionsOnly() {
        CommandLine c = of("java", "-javaagent:/opt/a.jar=policy.json", "-agentpath:/opt/lib.so", "@/etc/app.args",
                "@@literal", "Main", "-javaagent:/not/an/agent.jar", "@/not/an/argfile");
        assertEquals(List.of(Path.of("/opt/a.jar")), CommandLine.javaAgentJars(c.launcherOptions()));
        assertEquals(List.of(Path.of("/opt/lib.so")), CommandLine.nativeAgents(c.launcherOptions()));
        assertEquals(List.of(Path.of("/etc/app.args")), c.argFiles());
    }

    @Test
    void optionVariablesSplitOnWhiteSpaceWithQuotesGroupingAsTheJvmDoes() {
        assertEquals(List.of("-Da=b c", "-Xmx1g", "-Dq=it's"), CommandLine.splitOptions("  '-Da=b c'\t-Xmx1g  \"-Dq=it's\" "));
        assertEquals(List.of(), CommandLine.splitOptions("   "));
    }

    @Test
    void anArgumentThatIsNotUtf8KeepsItsBytes() {
        byte[] raw = {'j', 'a', 'v', 'a', 0, 'M', (byte) 0xff, 0};
        CommandLine c = CommandLine.parse(raw);
        assertEquals(2, c.argv().size());
        assertEquals((byte) 0xff, c.argv().get(1)[1], "the exec gets the bytes back, not their decoding");
    }

    @Test
    void theLastClassPathOptionIsTheOneTheLauncherUsesAndItsWildcardsNameFolders() {
        List<String> options = List.of("-cp", "a.jar", "-Dx=1", "--class-path=lib/*:b.jar:*:/opt/app/jars/*:c*");
        String cp = CommandLine.classPathArgument(options);
        assertEquals("lib/*:b.jar:*:/opt/app/jars/*:c*", cp);
        assertEquals(List.of(Path.of("/srv/lib"), Path.of("/srv"), Path.of("/opt/app/jars")),
                CommandLine.wildcardFolders(cp, Path.of("/srv")), "c* is a file name, not a wildcard (wildcard.c)");
        assertEquals(List.of(), CommandLine.wildcardFolders(null, Path.of("/srv")));
        assertEquals("x.jar", CommandLine.classPathArgument(List.of("-classpath", "y.jar", "-cp", "x.jar")));
        assertTrue(of("java", "-cp", "lib/*", "-jar", "app.jar").jarMain(), "-jar: the launcher ignores the class path");
        assertFalse(of("java", "-cp", "lib/*", "Main").jarMain());
    }

    @Test
    void theOptionsInHotSpotsOrderOfPrecedenceWithArgumentFilesExpanded(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path args = java.nio.file.Files.writeString(dir.resolve("jvm.args"), """
                # the operator's diagnostics
                -Xlog:gc:file="/var/log/app/gc.log"   -XX:HeapDumpPath=/var/dumps
                  # indented comment
                "-XX:ErrorFile=/var/crash/hs err.log"
                -Dk=v "-Dq=#quoted" -Dgone=x#comment -Dz=also-comment
                """);
        CommandLine c = of("java", "@" + args, "-XX:HeapDumpPath=/last", "@@literal", "-cp", "app.jar", "Main", "@not-an-option");
        assertEquals(List.of("-XX:ErrorFile=/tool", "-Xmx1g", "-Xlog:gc:file=/var/log/app/gc.log", "-XX:HeapDumpPath=/var/dumps",
                        "-XX:ErrorFile=/var/crash/hs err.log", "-Dk=v", "-Dq=#quoted", "-XX:HeapDumpPath=/last", "@literal", "-cp", "app.jar", "Main",
                        "-XX:+UseSerialGC"),
                c.optionsInPrecedence("-XX:ErrorFile=/tool", "-Xmx1g", "-XX:+UseSerialGC"));
        assertEquals(List.of("-cp", "app.jar", "Main"), of("java", "@" + dir.resolve("gone"), "-cp", "app.jar", "Main")
                .optionsInPrecedence(null, null, null), "an unreadable file: the launcher has refused it already");
    }
}
