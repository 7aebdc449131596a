package dev.landlockagent.linux;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.landlock.AccessNet;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel numbers this module writes by hand agree with the kernel's own uapi headers, as
 * Debian's linux-libc-dev installs them (the C compiler's headers; each test skips, with the reason,
 * where they are missing). A wrong number here would silently let a socket kind or a privileged
 * syscall through the seccomp filter. The headers are older than the newest kernels, so a number
 * they lack is not checked; 32-bit ARM has no headers on an x86_64 machine.
 */
class UapiHeadersTest {
    private static final Path INCLUDE = Path.of("/usr/include");
    private static final Pattern NR = Pattern.compile("(?m)^#define __NR(?:3264)?_(\\w+)\\s+(?:\\(__X32_SYSCALL_BIT \\+ )?(\\d+)\\)?");

    private static String header(String path) throws IOException {
        Path p = INCLUDE.resolve(path);
        assumeTrue(Files.isRegularFile(p), p + " is not installed (Debian's linux-libc-dev)");
        return Files.readString(p);
    }

    /** {@code #define __NR_name number}, and asm-generic's {@code __NR3264_name}. */
    private static Map<String, Integer> syscalls(String header) {
        Map<String, Integer> m = new LinkedHashMap<>();
        Matcher x = NR.matcher(header);
        while (x.find()) {
            m.putIfAbsent(x.group(1), Integer.parseInt(x.group(2)));
        }
        return m;
    }

    /** Checks every syscall {@code table} names that the header has; returns how many. */
    private static int assertTableAgrees(SyscallTable table, Map<String, Integer> header, String source) {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, Integer> e : header.entrySet()) {
            int[] ours = table.numbers(e.getKey());
            if (ours.length == 0) {
                continue;
            }
            checked++;
            boolean found = false;
            for (int n : ours) {
                found |= n == e.getValue();
            }
            if (!found) {
                wrong.add(e.getKey() + ": " + java.util.Arrays.toString(ours) + ", " + source + " says " + e.getValue());
            }
        }
        assertEquals(List.of(), wrong, table.abi() + " numbers that disagree with " + source);
        return checked;
    }

    @Test
    void x86_64sSyscallNumbersAreTheKernels() throws IOException {
        Map<String, Integer> h = syscalls(header("x86_64-linux-gnu/asm/unistd_64.h"));
        assertTrue(assertTableAgrees(SyscallTable.X86_64, h, "unistd_64.h") > 60);
        assertArchAgrees(Arch.X86_64, h);
    }

    /** The numbers {@link Arch} keeps as fields, for the calls the agent makes itself. */
    private static void assertArchAgrees(Arch a, Map<String, Integer> h) {
        assertEquals(List.of(h.get("landlock_create_ruleset"), h.get("landlock_add_rule"), h.get("landlock_restrict_self"),
                        h.get("close_range"), h.get("io_uring_setup")),
                List.of(a.landlockCreateRuleset, a.landlockAddRule, a.landlockRestrictSelf, a.closeRange, a.ioUringSetup));
        assertEquals(List.of(h.get("prctl"), h.get("seccomp"), h.get("openat"), h.get("close"), h.get("execve"),
                        h.get("pread64"), h.get("fcntl"), h.get("socket"), h.get("socketpair"), h.get("capget"), h.get("capset")),
                List.of(a.prctl, a.seccomp, a.openat, a.close, a.execve, a.pread64, a.fcntl, a.socket, a.socketpair,
                        a.capget, a.capset));
    }

    @Test
    void x32sOwnNumbersAreTheKernels() throws IOException {
        Map<String, Integer> x32 = syscalls(header("x86_64-linux-gnu/asm/unistd_x32.h"));
        for (String name : new String[] {"ptrace", "kexec_load", "process_vm_readv", "process_vm_writev"}) {
            int n = x32.get(name);
            assertTrue(n >= 512, name + " has an x32 number of its own: " + n);
            int[] ours = SyscallTable.X86_64.numbers(name);
            assertTrue(ours.length == 2 && ours[1] == n, name + ": " + java.util.Arrays.toString(ours) + ", unistd_x32.h says " + n);
        }
    }

    @Test
    void i386sSyscallNumbersAreTheKernels() throws IOException {
        Map<String, Integer> h = syscalls(header("x86_64-linux-gnu/asm/unistd_32.h"));
        assertTrue(assertTableAgrees(SyscallTable.I386, h, "unistd_32.h") > 60);
        Arch.CompatAbi compat = Arch.X86_64.compat;
        assertEquals(List.of(h.get("socket"), h.get("socketpair"), h.get("socketcall")),
                List.of(compat.socket(), compat.socketpair(), compat.socketcall()));
    }

    @Test
    void aarch64sSyscallNumbersAreTheGenericTables() throws IOException {
        Map<String, Integer> h = syscalls(header("asm-generic/unistd.h"));
        assertTrue(assertTableAgrees(SyscallTable.AARCH64, h, "asm-generic/unistd.h") > 40);
        assertArchAgrees(Arch.AARCH64, h);
    }

    @Test
    void errnoValuesAreAsmGenerics() throws IOException {
        String h = header("asm-generic/errno-base.h") + header("asm-generic/errno.h");
        for (Errno e : Errno.values()) {
            Matcher m = Pattern.compile("(?m)^#define\\s+" + e.name() + "\\s+(\\d+)").matcher(h);
            assertTrue(m.find(), e + " is in the headers");
            assertEquals(Integer.parseInt(m.group(1)), e.number(), e.name());
        }
    }

    @Test
    void capabilityNumbersAreTheKernels() throws IOException {
        String h = header("linux/capability.h");
        int checked = 0;
        for (Capability c : Capability.values()) {
            Matcher m = Pattern.compile("(?m)^#define\\s+" + c.kernelName() + "\\s+(\\d+)").matcher(h);
            if (m.find()) {
                assertEquals(Integer.parseInt(m.group(1)), c.number(), c.kernelName());
                checked++;
            }
        }
        assertTrue(checked >= 40, "checked " + checked);
    }

    @Test
    void landlockAccessBitsAreTheKernels() throws IOException {
        String h = header("linux/landlock.h");
        Matcher m = Pattern.compile("(?m)^#define\\s+LANDLOCK_ACCESS_(FS|NET)_(\\w+)\\s+\\(1ULL << (\\d+)\\)").matcher(h);
        int checked = 0;
        while (m.find()) {
            long bit = 1L << Integer.parseInt(m.group(3));
            String name = m.group(2).toLowerCase(java.util.Locale.ROOT);
            long ours = m.group(1).equals("FS") ? AccessFs.byKernelName(name).mask() : netMask(name);
            assertEquals(bit, ours, m.group(0));
            checked++;
        }
        assertTrue(checked >= 13, "checked " + checked);
    }

    private static long netMask(String name) {
        for (AccessNet n : AccessNet.values()) {
            if (n.kernelName().equals(name)) {
                return n.mask();
            }
        }
        throw new AssertionError("no AccessNet " + name);
    }

    /** {@code #define PREFIXNAME value}, with aliases ({@code #define PF_UNIX PF_LOCAL}) resolved. */
    private static Map<String, Integer> defines(String header, String prefix) {
        Map<String, String> raw = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^#define\\s+" + prefix + "(\\w+)\\s+(\\w+)").matcher(header);
        while (m.find()) {
            raw.putIfAbsent(m.group(1), m.group(2));
        }
        // glibc's enums: NAME = value,
        Matcher e = Pattern.compile("\\b" + prefix + "(\\w+) = (\\d+),").matcher(header);
        while (e.find()) {
            raw.put(e.group(1), e.group(2));
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String name : raw.keySet()) {
            String v = raw.get(name);
            for (int hops = 0; hops < 4 && v != null && !v.matches("\\d+"); hops++) {
                v = raw.get(v.startsWith(prefix) ? v.substring(prefix.length()) : v);
            }
            if (v != null && v.matches("\\d+")) {
                out.put(name, Integer.parseInt(v));
            }
        }
        return out;
    }

    /** Checks every name of {@code ours} the header defines; returns how many. */
    private static int assertNamesAgree(Map<String, Integer> ours, Map<String, Integer> header, String what) {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, Integer> e : ours.entrySet()) {
            Integer theirs = header.get(e.getKey().toUpperCase(java.util.Locale.ROOT));
            if (theirs != null) {
                checked++;
                if (!theirs.equals(e.getValue())) {
                    wrong.add(e.getKey() + ": " + e.getValue() + ", the header says " + theirs);
                }
            }
        }
        assertEquals(List.of(), wrong, what);
        return checked;
    }

    @Test
    void everySocketNameAPolicyMayUseHasTheKernelsNumber() throws IOException {
        Map<String, Integer> families = defines(header("x86_64-linux-gnu/bits/socket.h"), "PF_");
        assertTrue(assertNamesAgree(SocketNames.DOMAINS, families, "address families") >= 40);
        Map<String, Integer> types = defines(header("x86_64-linux-gnu/bits/socket_type.h"), "SOCK_");
        assertEquals(SocketNames.TYPES.size(), assertNamesAgree(SocketNames.TYPES, types, "socket types"));
        Map<String, Integer> protocols = defines(header("linux/in.h") + header("linux/in6.h"), "IPPROTO_");
        assertTrue(assertNamesAgree(SocketNames.IP_PROTOCOLS, protocols, "IP protocols") >= 15);
        Map<String, Integer> netlink = defines(header("linux/netlink.h"), "NETLINK_");
        assertTrue(assertNamesAgree(SocketNames.NETLINK_PROTOCOLS, netlink, "netlink families") >= 15);
        assertEquals(List.of(families.get("UNIX"), families.get("INET"), families.get("INET6"), families.get("NETLINK"),
                        families.get("PACKET"), families.get("SMC"), protocols.get("TCP"), protocols.get("UDP"),
                        protocols.get("SCTP"), protocols.get("MPTCP")),
                List.of(SocketNames.AF_UNIX, SocketNames.AF_INET, SocketNames.AF_INET6, SocketNames.AF_NETLINK,
                        SocketNames.AF_PACKET, SocketNames.AF_SMC, SocketNames.IPPROTO_TCP, SocketNames.IPPROTO_UDP,
                        SocketNames.IPPROTO_SCTP, SocketNames.IPPROTO_MPTCP), "the constants the code names");
    }
}
