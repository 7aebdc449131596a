package dev.landlockagent.it;

import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK's AOT cache (JEP 483, 514) trained and used under the agent, as docs/performance.md
 * ("AOT cache and CDS archives") tells users to: trained with the agent on the command line, in
 * two steps or in one, then mapped by the JVM that runs {@code main}, with no error or warning
 * line; and never mapped where the confined JVM could have written it.
 */
@RequiresLandlock(abi = 4)
class AotCacheTest {
    @TempDir
    Path tmp;
    private Path jar;
    private Path cache;
    /** What the application needs, and nothing for the cache: the run that maps it. */
    private Path runPolicy;
    /** The same, and writing the cache's folder: the training run. */
    private Path trainingPolicy;

    @BeforeEach
    void app() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src/app"));
        Files.writeString(src.resolve("Hello.java"), """
                package app;
                public class Hello {
                    public static void main(String[] args) throws Exception {
                        System.out.println("hello " + java.nio.file.Files.readString(java.nio.file.Path.of(args[0])).strip());
                    }
                }
                """);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), src.resolve("Hello.java").toString()));
        jar = tmp.resolve("hello.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "app.Hello");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            j.putNextEntry(new JarEntry("app/Hello.class"));
            j.write(Files.readAllBytes(classes.resolve("app/Hello.class")));
            j.closeEntry();
        }
        Path data = Files.writeString(tmp.resolve("name.txt"), "world\n");
        cache = Files.createDirectories(tmp.resolve("cache"));
        runPolicy = Files.writeString(tmp.resolve("run.json"), """
                {"version": 1, "filesystem": [{"path": "%s", "allow": ["read"]}]}
                """.formatted(data));
        trainingPolicy = Files.writeString(tmp.resolve("training.json"), """
                {"version": 1, "filesystem": [{"path": "%s", "allow": ["read"]}, {"path": "%s", "allow": ["read", "write"]}]}
                """.formatted(data, cache));
    }

    private SandboxedJvm.Result confined(Path policy, String... options) {
        return SandboxedJvm.withPolicy(policy).jvmOptions(options).workingDirectory(tmp).runJar(jar, "name.txt");
    }

    /** HotSpot's unified log writes "[error]" and "[warning]" in each line's decorations. */
    private static void assertQuiet(SandboxedJvm.Result r) {
        for (String line : (r.stdout() + "\n" + r.stderr()).split("\n")) {
            assertFalse(line.contains("[error]") || line.contains("[warning]") || line.contains(" WARN "), line + "\n" + r.describe());
        }
        assertTrue(r.stdout().contains("hello world"), r.describe());
        assertTrue(r.stderr().contains("[landlock-agent] INFO confined by"), r.describe());
    }

    /**
     * Runs under the run policy with {@code archive} ({@code -XX:AOTCache=F} or
     * {@code -XX:SharedArchiveFile=F}): quietly, and then with {@code -Xlog:class+load} in both
     * JVMs. Only the re-executed one loads the main class, so its line says where the JVM that runs
     * {@code main} found it.
     */
    private void assertMapsQuietlyInTheJvmThatRunsMain(String archive) {
        SandboxedJvm.Result run = confined(runPolicy, archive);
        assertEquals(0, run.exitCode(), run.describe());
        assertQuiet(run);
        SandboxedJvm.Result logged = confined(runPolicy, archive, "-Xlog:class+load=info");
        assertEquals(0, logged.exitCode(), logged.describe());
        assertTrue(logged.stdout().contains("app.Hello source: shared objects file"), logged.describe());
    }

    @Test
    void aCacheTrainedInTwoStepsUnderTheAgentMapsInTheJvmThatRunsMainWithNoErrorOrWarning() throws IOException {
        Path conf = cache.resolve("app.aotconf");
        Path aot = cache.resolve("app.aot");
        SandboxedJvm.Result record = confined(trainingPolicy, "-XX:AOTMode=record", "-XX:AOTConfiguration=" + conf);
        assertEquals(0, record.exitCode(), record.describe());
        assertQuiet(record);
        assertTrue(Files.size(conf) > 0, record.describe());
        // The assembly step runs no application code: the same command line with AOTMode=create
        // (the agent's premain does not run there).
        List<String> create = new ArrayList<>(List.of(SandboxedJvm.java().toString(), "-XX:AOTMode=create",
                "-XX:AOTConfiguration=" + conf, "-XX:AOTCache=" + aot,
                "-javaagent:" + SandboxedJvm.defaultAgentJar() + "=" + runPolicy, "-jar", jar.toString()));
        SandboxedJvm.Result created = SandboxedJvm.unconfined().workingDirectory(tmp).start(create).await();
        assertEquals(0, created.exitCode(), created.describe());
        assertTrue(Files.size(aot) > 1_000_000, created.describe());

        assertMapsQuietlyInTheJvmThatRunsMain("-XX:AOTCache=" + aot);
    }

    @Test
    void aCacheTrainedInOneStepUnderTheAgentMapsTooAndTheTrainingPrintsNoWarnings() throws IOException {
        Path aot = cache.resolve("one.aot");
        SandboxedJvm.Result train = confined(trainingPolicy, "-XX:AOTCacheOutput=" + aot);
        assertEquals(0, train.exitCode(), train.describe());
        assertQuiet(train);
        assertTrue(train.stdout().contains("AOTCache creation is complete"), train.describe());
        // The child JVM that assembles the cache prints the options it was given ("Picked up
        // JAVA_TOOL_OPTIONS"): the re-executed JVM's, which name the marker's pipe and nothing of it.
        String pickedUp = train.stderrLines().stream().filter(l -> l.startsWith("Picked up JAVA_TOOL_OPTIONS")).findFirst()
                .orElseThrow(() -> new AssertionError(train.describe()));
        assertTrue(pickedUp.matches(".* -Dlandlock\\.agent\\.exec=fd:[0-9]+:[0-9]+ .*"), pickedUp);
        assertFalse(pickedUp.contains("v=2") || pickedUp.contains("&c="), pickedUp);

        assertMapsQuietlyInTheJvmThatRunsMain("-XX:AOTCache=" + aot);
    }

    /**
     * A cache trained without the agent cannot map in the JVM that loads it with {@code -javaagent}
     * (HotSpot prints why there): the JVM that runs {@code main} gets the agentlib form and maps
     * it, and the agent says once how to have it in both.
     */
    @Test
    void aCacheTrainedWithoutTheAgentStillMapsInTheJvmThatRunsMainAndTheFixIsNamed() throws IOException {
        Path aot = cache.resolve("bare.aot");
        SandboxedJvm.Result train = SandboxedJvm.unconfined().jvmOptions("-XX:AOTCacheOutput=" + aot).workingDirectory(tmp)
                .runJar(jar, "name.txt");
        assertEquals(0, train.exitCode(), train.describe());
        SandboxedJvm.Result r = confined(runPolicy, "-XX:AOTCache=" + aot, "-Xlog:class+load=info");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("app.Hello source: shared objects file"), r.describe());
        assertEquals(1, r.stderrLines().stream().filter(l -> l.startsWith("[landlock-agent] WARN")).count(), r.describe());
        assertTrue(r.stderr().contains("-XX:AOTCache=" + aot + " did not map in the JVM that loaded the agent with -javaagent")
                && r.stderr().contains("Fix: train it with the agent on the command line"), r.describe());
    }

    /**
     * The CDS way from before the AOT cache: a class list recorded under the agent, a static
     * archive dumped from it with the module the agent adds ({@code --add-modules java.instrument};
     * HotSpot will not dump with a Java agent), mapped with {@code -XX:SharedArchiveFile}.
     */
    @Test
    void aStaticCdsArchiveDumpedFromAClassListRecordedUnderTheAgentMapsToo() throws IOException {
        Path list = cache.resolve("classes.lst");
        Path jsa = cache.resolve("app.jsa");
        SandboxedJvm.Result record = confined(trainingPolicy, "-XX:DumpLoadedClassList=" + list);
        assertEquals(0, record.exitCode(), record.describe());
        assertQuiet(record);
        SandboxedJvm.Result dump = SandboxedJvm.unconfined().workingDirectory(tmp).start(List.of(SandboxedJvm.java().toString(),
                "-Xshare:dump", "-XX:SharedClassListFile=" + list, "-XX:SharedArchiveFile=" + jsa,
                "--add-modules", "java.instrument", "-cp", jar.toString())).await();
        assertEquals(0, dump.exitCode(), dump.describe());

        assertMapsQuietlyInTheJvmThatRunsMain("-XX:SharedArchiveFile=" + jsa);
    }

    @Test
    void aPolicyThatLetsTheJvmWriteOrReplaceTheCacheItMapsIsRefused() throws IOException {
        Path aot = cache.resolve("one.aot");
        assertEquals(0, confined(trainingPolicy, "-XX:AOTCacheOutput=" + aot).exitCode());
        SandboxedJvm.Result r = confined(trainingPolicy, "-XX:AOTCache=" + aot);
        assertEquals(78, r.exitCode(), r.describe());
        assertFalse(r.stdout().contains("hello"), r.describe());
        assertTrue(r.stderr().contains("-XX:AOTCache=" + aot + ": the policy lets this JVM write " + aot
                + ", which later JVMs map and run as code. Fix: allow only \"read\" there"), r.describe());
        assertEquals(1, r.stderrLines().size(), "one line: " + r.describe());

        Path folderOnly = Files.writeString(tmp.resolve("folder.json"), """
                {"version": 1, "filesystem": [{"path": "%s", "allow": ["read"]}, {"path": "%s", "allow": ["read", "make_reg"]}]}
                """.formatted(tmp.resolve("name.txt"), cache));
        SandboxedJvm.Result replace = confined(folderOnly, "-XX:AOTCache=" + aot);
        assertEquals(78, replace.exitCode(), replace.describe());
        assertTrue(replace.stderr().contains("the policy lets this JVM replace " + aot), replace.describe());
    }
}
