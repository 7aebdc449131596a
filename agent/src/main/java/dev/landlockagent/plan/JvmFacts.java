package dev.landlockagent.plan;

import java.nio.file.Path;
import java.util.List;

/**
 * What the JVM baseline needs to know about the running JVM: where the JDK, the class path, the
 * agents and the policy are. {@code launcherInterpreter} is the java launcher's ELF interpreter
 * (the dynamic loader), or null. {@code classPathFolders} are the folders a wildcard class path
 * entry ({@code lib/*}) names, which the re-executed launcher lists again. {@code hotSpotTmpDir}
 * is where HotSpot keeps its perf-data folder: /tmp on Linux, whatever java.io.tmpdir says.
 * {@code diagnostics} are the files the JVM's diagnostics flags name. Plain data, so that the
 * planner can be tested without a JVM to inspect.
 */
public record JvmFacts(
        Path javaHome,
        Path launcherInterpreter,
        List<Path> classPath,
        List<Path> classPathFolders,
        List<Path> modulePath,
        List<Path> bootClassPathAppend,
        List<Path> javaAgentJars,
        List<Path> nativeAgents,
        List<Path> argFiles,
        Path policyFile,
        Path hotSpotTmpDir,
        String userName,
        DiagnosticFiles diagnostics) {

    /** These facts with other diagnostics files. */
    public JvmFacts withDiagnostics(DiagnosticFiles d) {
        return new JvmFacts(javaHome, launcherInterpreter, classPath, classPathFolders, modulePath, bootClassPathAppend,
                javaAgentJars, nativeAgents, argFiles, policyFile, hotSpotTmpDir, userName, d);
    }

    /** HotSpot's perf-data folder, {@code hsperfdata_<user>} in its temporary folder: jps and jstat read it. */
    public Path perfDataFolder() {
        return hotSpotTmpDir.resolve("hsperfdata_" + userName);
    }
}
