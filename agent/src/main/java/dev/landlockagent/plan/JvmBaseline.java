package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.policy.AccessNames;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a JVM needs to keep running once confined ({@code "jvm": "auto"}), entry by entry with the
 * reason. The re-exec path makes the second JVM boot inside the domain, so everything a JVM opens
 * from its first instruction must be here. Entries that do not exist on this machine are skipped.
 * docs/policy.md lists the same entries.
 */
public final class JvmBaseline {
    private JvmBaseline() {
    }

    /** One baseline entry. */
    public record Entry(Path path, long access, String reason) {
    }

    private static final long READ = AccessNames.READ;
    private static final long READ_EXECUTE = AccessNames.READ | AccessNames.EXECUTE;
    private static final long READ_WRITE_FILE = AccessFs.READ_FILE.mask() | AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask();

    public static List<Entry> entries(JvmFacts facts) {
        List<Entry> e = new ArrayList<>();
        e.add(new Entry(facts.javaHome(), READ_EXECUTE,
                "java.home: the JDK's modules, libraries, conf, tzdb.dat, jspawnhelper (execute, for ProcessBuilder) and the java launcher (execute, for the re-exec)"));
        Path cacerts = facts.javaHome().resolve("lib/security/cacerts");
        if (Files.isSymbolicLink(cacerts)) {
            try {
                e.add(new Entry(cacerts.toRealPath(), AccessFs.READ_FILE.mask(),
                        "the JDK's trust store, linked outside java.home (Debian and Ubuntu JDKs: /etc/ssl/certs/java/cacerts)"));
            } catch (java.io.IOException broken) {
                // a dangling link: the JDK will not read it either
            }
        }
        if (facts.launcherInterpreter() != null) {
            e.add(new Entry(facts.launcherInterpreter(), AccessFs.READ_FILE.mask() | AccessFs.EXECUTE.mask(),
                    "the dynamic loader named by the java launcher; execve opens it as an executable"));
        }
        for (Path p : facts.classPath()) {
            e.add(new Entry(p, READ, "class path entry"));
        }
        for (Path p : facts.classPathFolders()) {
            e.add(new Entry(p, AccessFs.READ_DIR.mask(),
                    "folder of a class path wildcard (" + p + "/*): the re-executed launcher lists it to find the jars"));
        }
        for (Path p : facts.modulePath()) {
            e.add(new Entry(p, READ, "module path entry"));
        }
        for (Path p : facts.bootClassPathAppend()) {
            e.add(new Entry(p, READ, "-Xbootclasspath/a entry"));
        }
        for (Path p : facts.javaAgentJars()) {
            e.add(new Entry(p, READ, "Java agent jar (this agent or another -javaagent)"));
        }
        for (Path p : facts.nativeAgents()) {
            e.add(new Entry(p, READ, "native agent library (-agentpath)"));
        }
        for (Path p : facts.argFiles()) {
            e.add(new Entry(p, READ, "@argfile on the command line, read again by the re-executed launcher"));
        }
        if (facts.policyFile() != null) {
            e.add(new Entry(facts.policyFile(), READ, "the policy file, read again to explain denials"));
        }
        for (String lib : List.of("/lib", "/lib64", "/lib32", "/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/local/lib")) {
            e.add(new Entry(Path.of(lib), READ, "system libraries, glibc's locale data and gconv modules"));
        }
        for (String f : List.of("/etc/ld.so.cache", "/etc/ld.so.preload", "/etc/ld.so.conf", "/etc/ld.so.conf.d")) {
            e.add(new Entry(Path.of(f), READ, "the dynamic loader's configuration"));
        }
        for (String f : List.of("/etc/passwd", "/etc/group", "/etc/nsswitch.conf")) {
            e.add(new Entry(Path.of(f), READ, "user.name and user.home come from getpwuid(3)"));
        }
        for (String f : List.of("/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo", "/usr/share/locale")) {
            e.add(new Entry(Path.of(f), READ, "time zone and locale data"));
        }
        e.add(new Entry(Path.of("/proc/self"), READ,
                "the JVM's own /proc/<pid>: stat, maps, status, mountinfo, cgroup, coredump_filter, and net/if_inet6 (without it IPv6 silently switches off)"));
        for (String f : List.of("/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/cgroups", "/proc/filesystems",
                "/proc/sys/kernel", "/proc/sys/vm")) {
            e.add(new Entry(Path.of(f), READ, "memory, CPU and kernel limits the JVM sizes itself by"));
        }
        for (String f : List.of("/sys/fs/cgroup", "/sys/devices/system/cpu", "/sys/devices/system/node",
                "/sys/kernel/mm/transparent_hugepage", "/sys/kernel/mm/hugepages")) {
            e.add(new Entry(Path.of(f), READ, "container limits, CPUs, NUMA nodes and huge pages"));
        }
        e.add(new Entry(Path.of("/dev/null"), READ_WRITE_FILE, "/dev/null, for redirected streams"));
        for (String f : List.of("/dev/zero", "/dev/urandom", "/dev/random")) {
            e.add(new Entry(Path.of(f), AccessFs.READ_FILE.mask(), "randomness for SecureRandom and hash seeds"));
        }
        e.add(new Entry(facts.perfDataFolder(),
                READ | AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask() | AccessFs.MAKE_REG.mask() | AccessFs.REMOVE_FILE.mask(),
                "the JVM's perf-data file (jps, jcmd -l, jstat); use -XX:-UsePerfData to do without"));
        e.addAll(facts.diagnostics().entries());
        return e;
    }
}
