package dev.landlockagent.it.probe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.landlockagent.it.probe.Hostile.attempt;
import static dev.landlockagent.it.probe.Hostile.limit;

/**
 * The escape suite's privileged section: what a confined JVM running as root could still change or
 * reach if the agent left it the capabilities and syscalls that Landlock alone does not govern
 * (issue: privilege hardening). Every attempt is harmless when it gets through (a wrong magic
 * number for reboot, a missing file for swapon, a negative length for sethostname), and counts as
 * ESCAPED whenever it gets past the permission check: any result other than EPERM (or ENOSYS,
 * for the calls the filter answers so), EACCES or EROFS.
 *
 * <p>Configuration: {@code secret} (a root-owned file outside the policy), {@code readable} (a
 * file the policy lets the JVM read but not write), {@code writable} (a folder it may write, in the
 * narrow policy), {@code caps.kept} (the capability mask the policy keeps, default 0).
 */
final class Privileged {
    private static final boolean X86 = System.getProperty("os.arch").equals("amd64");
    private static final long AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int O_PATH = 010000000;
    private static final long KEPT = Long.getLong("caps.kept", 0);

    private Privileged() {
    }

    /** The syscall number on x86_64 or aarch64. */
    private static long nr(long x86, long arm64) {
        return X86 ? x86 : arm64;
    }

    /** Blocked when the call failed with one of {@code blocked} (errnos); else what got through. */
    private static String judge(long r, String what, int... blocked) throws Hostile.Blocked {
        if (r < 0) {
            for (int e : blocked) {
                if (-r == e) {
                    throw new Hostile.Blocked(what + ": errno " + (-r));
                }
            }
            return what + " got past the permission check (errno " + (-r) + ")";
        }
        return what + " returned " + r;
    }

    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int EROFS = 30;
    private static final int ENOSYS = 38;
    private static final int EBADF = 9;

    private static boolean isRoot() {
        try {
            return field(Files.readString(Path.of("/proc/self/status")), "Uid").split("\\s+")[1].equals("0");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static void run(String t) {
        capabilities(t);
        metadata(t);
        syscalls(t);
    }

    interface OnDescriptor {
        String run(int fd) throws Throwable;
    }

    /** Opens {@code path} with {@code flags} (blocked if that fails), runs {@code action} on it, closes it. */
    private static String onDescriptor(String path, int flags, OnDescriptor action) throws Throwable {
        int fd = NativeCalls.open(path, flags);
        if (fd < 0) {
            throw new Hostile.Blocked("open " + path + ": errno " + (-fd));
        }
        try {
            return action.run(fd);
        } finally {
            NativeCalls.close(fd);
        }
    }

    // ------------------------------------------------------------------------------ capabilities

    /** Whether this thread (and, where it can, a child) holds a capability the policy does not keep. */
    static void capabilities(String t) {
        attempt(t, "hold a capability", () -> {
            String status = Files.readString(Path.of("/proc/thread-self/status"));
            boolean root = field(status, "Uid").split("\\s+")[1].equals("0");
            StringBuilder held = new StringBuilder();
            for (String set : root ? List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
                    : List.of("CapInh", "CapPrm", "CapEff", "CapAmb")) {
                long v = Long.parseUnsignedLong(field(status, set), 16);
                if ((v & ~KEPT) != 0) {
                    held.append(set).append('=').append(Long.toHexString(v)).append(' ');
                }
            }
            if (held.isEmpty()) {
                throw new Hostile.Blocked("no capability beyond the policy's in any set" + (root ? ""
                        : " (bounding set not checked: a non-root process cannot lower it)"));
            }
            return "this thread holds " + held.toString().strip();
        });
    }

    /**
     * A child's capabilities: setpriv(1) prints its bounding set, which for a root child bounds
     * everything execve gives it (its permitted set is the bounding set there).
     */
    static void childCapabilities(String t) {
        if (!isRoot()) {
            limit(t, "child holds a capability", "a process that is not root cannot lower its bounding set; under"
                    + " no_new_privs execve gives it nothing (checked on this thread)");
            return;
        }
        attempt(t, "child holds a capability", () -> {
            Process p = new ProcessBuilder("setpriv", "--dump").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            if (p.exitValue() != 0) {
                throw new Hostile.Blocked("setpriv did not run: " + out.strip().replace('\n', ' '));
            }
            String bounding = field(out, "Capability bounding set");
            if (bounding.equals("[none]") || KEPT != 0 && !bounding.contains(",")) {
                throw new Hostile.Blocked("the root child's bounding set is " + bounding);
            }
            return "the root child's bounding set is " + bounding;
        });
    }

    private static String field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return "0";
    }

    // ------------------------------------------------------------------------------ metadata

    static void metadata(String t) {
        String secret = System.getProperty("secret");
        String readable = System.getProperty("readable");
        attempt(t, "chmod setuid outside", () -> judge(X86 ? NativeCalls.call(90, secret, 04755)
                : NativeCalls.call(53, AT_FDCWD, secret, 04755), "chmod 04755 " + secret, EPERM, EACCES, EROFS));
        attempt(t, "fchmodat world-writable outside", () -> judge(NativeCalls.call(nr(268, 53), AT_FDCWD, secret, 0666),
                "fchmodat 0666 " + secret, EPERM, EACCES, EROFS));
        attempt(t, "fchmodat2 outside", () -> judge(NativeCalls.call(452, AT_FDCWD, secret, 0666, 0),
                "fchmodat2 0666 " + secret, EPERM, EACCES, EROFS, ENOSYS));
        attempt(t, "chown outside", () -> judge(NativeCalls.call(nr(260, 54), AT_FDCWD, secret, 65534, 65534, 0),
                "fchownat to 65534 " + secret, EPERM, EACCES, EROFS));
        attempt(t, "chown to self outside", () -> judge(NativeCalls.call(nr(260, 54), AT_FDCWD, secret, -1, 0, 0),
                "fchownat group 0 " + secret, EPERM, EACCES, EROFS));
        attempt(t, "setxattr outside", () -> judge(NativeCalls.call(nr(188, 5), secret, "user.landlock", "x", 1, 0),
                "setxattr user.landlock " + secret, EPERM, EACCES, EROFS, 95 /* EOPNOTSUPP: the file system has none */));
        attempt(t, "setxattr trusted outside", () -> judge(NativeCalls.call(nr(188, 5), secret, "trusted.landlock", "x", 1, 0),
                "setxattr trusted.landlock " + secret, EPERM, EACCES, EROFS, 95));
        attempt(t, "removexattr outside", () -> judge(NativeCalls.call(nr(197, 14), secret, "user.none"),
                "removexattr " + secret, EPERM, EACCES, EROFS, 95));
        attempt(t, "utimensat outside", () -> judge(NativeCalls.call(nr(280, 88), AT_FDCWD, secret, 0, 0),
                "utimensat(now) " + secret, EPERM, EACCES, EROFS));
        attempt(t, "utimensat past outside", () -> judge(NativeCalls.call(nr(280, 88), AT_FDCWD, secret, new byte[32], 0),
                "utimensat(1970) " + secret, EPERM, EACCES, EROFS));
        if (X86) {
            attempt(t, "utimes outside", () -> judge(NativeCalls.call(235, secret, 0), "utimes " + secret, EPERM, EACCES, EROFS));
            attempt(t, "lchown outside", () -> judge(NativeCalls.call(94, secret, 65534, 65534), "lchown " + secret, EPERM, EACCES, EROFS));
        }
        // An O_PATH descriptor is opened without a Landlock check; AT_EMPTY_PATH acts on it.
        attempt(t, "o_path fchownat outside", () -> onDescriptor(secret, O_PATH, fd -> judge(
                NativeCalls.call(nr(260, 54), fd, "", 65534, 65534, AT_EMPTY_PATH),
                "fchownat(O_PATH fd, \"\", AT_EMPTY_PATH) " + secret, EPERM, EACCES, EROFS)));
        attempt(t, "o_path fchmodat2 outside", () -> onDescriptor(secret, O_PATH, fd -> judge(
                NativeCalls.call(452, fd, "", 0666, AT_EMPTY_PATH),
                "fchmodat2(O_PATH fd, \"\", 0666, AT_EMPTY_PATH) " + secret, EPERM, EACCES, EROFS, ENOSYS)));
        // struct xattr_args {u64 value; u32 size; u32 flags}, all zero
        attempt(t, "o_path setxattrat outside", () -> onDescriptor(secret, O_PATH, fd -> judge(
                NativeCalls.call(463, fd, "", AT_EMPTY_PATH, "user.landlock", new byte[16], 16),
                "setxattrat(O_PATH fd, AT_EMPTY_PATH) " + secret, EPERM, EACCES, EROFS, ENOSYS, 95, EBADF)));
        if (readable != null) {
            // A descriptor the policy lets the JVM open for reading: fchmod needs no write access to it.
            attempt(t, "fchmod readable file", () -> onDescriptor(readable, 0, fd -> judge(
                    NativeCalls.call(nr(91, 52), fd, 0666), "fchmod 0666 of " + readable + " opened for reading",
                    EPERM, EACCES, EROFS)));
            attempt(t, "fsetxattr readable file", () -> onDescriptor(readable, 0, fd -> judge(
                    NativeCalls.call(nr(190, 7), fd, "user.landlock", "x", 1, 0),
                    "fsetxattr of " + readable + " opened for reading", EPERM, EACCES, EROFS, 95)));
        }
        if (!isRoot()) {
            limit(t, "metadata of own files", "a JVM without CAP_SYS_ADMIN has no read-only view: files this user owns"
                    + " outside the writable paths keep their metadata changeable (docs/security.md)");
        }
        String writable = System.getProperty("writable");
        if (writable != null) {
            insideWritable(t, Path.of(writable));
            attempt(t, "create setuid file in writable folder", () -> {
                String f = writable + "/setuid-" + t;
                long r = NativeCalls.call(nr(257, 56), AT_FDCWD, f, 0100 | 01, 04755);
                if (r >= 0) {
                    NativeCalls.close((int) r);
                    if ((Files.getPosixFilePermissions(Path.of(f)).size() > 0)
                            && (((Integer) Files.getAttribute(Path.of(f), "unix:mode")) & 06000) != 0) {
                        return "created " + f + " with the setuid bit";
                    }
                    throw new Hostile.Blocked("created, but without the setuid bit (umask)");
                }
                return judge(r, "openat O_CREAT 04755 " + f, EPERM);
            });
            attempt(t, "chmod setgid in writable folder", () -> {
                Path f = Path.of(writable, "setgid-" + t);
                Files.writeString(f, "x");
                return judge(NativeCalls.call(nr(268, 53), AT_FDCWD, f.toString(), 02755), "fchmodat 02755 " + f, EPERM);
            });
        }
    }

    /** Inside a folder the policy lets the JVM write, metadata changes keep working, as users expect. */
    static void insideWritable(String t, Path writable) {
        Path f = writable.resolve("meta-" + t + ".txt");
        Hostile.works(t, "create file in writable folder", () -> {
            Files.writeString(f, "metadata");
            return "created " + f;
        });
        Hostile.works(t, "set permissions in writable folder", () -> {
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
            return "mode " + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
        });
        Hostile.works(t, "set owner to self in writable folder", () -> {
            var self = f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
            Files.setOwner(f, self);
            return "owner " + Files.getOwner(f);
        });
        Hostile.works(t, "set times in writable folder", () -> {
            Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(86_400_000L));
            return "mtime " + Files.getLastModifiedTime(f);
        });
        Hostile.works(t, "set user xattr in writable folder", () -> {
            var view = Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class);
            view.write("landlock", java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
            return "xattrs " + view.list();
        });
        Hostile.works(t, "native fchmodat in writable folder", () -> {
            long r = NativeCalls.call(nr(268, 53), AT_FDCWD, f.toString(), 0600);
            if (r < 0) {
                throw new java.io.IOException("fchmodat: errno " + (-r));
            }
            return "fchmodat 0600";
        });
    }

    // ------------------------------------------------------------------------------ privileged syscalls

    static void syscalls(String t) {
        attempt(t, "bpf prog load", () -> judge(NativeCalls.call(nr(321, 280), 5 /* BPF_PROG_LOAD */, new byte[160], 160),
                "bpf(BPF_PROG_LOAD)", EPERM));
        attempt(t, "bpf map create", () -> judge(NativeCalls.call(nr(321, 280), 0 /* BPF_MAP_CREATE */, new byte[160], 160),
                "bpf(BPF_MAP_CREATE)", EPERM));
        // The wrong magic: a reboot(2) that gets past the permission check answers EINVAL.
        attempt(t, "reboot", () -> judge(NativeCalls.call(nr(169, 142), 0, 0, 0, 0), "reboot(wrong magic)", EPERM));
        attempt(t, "swapon", () -> judge(NativeCalls.call(nr(167, 224), "/nonexistent-swap", 0), "swapon", EPERM));
        attempt(t, "swapoff", () -> judge(NativeCalls.call(nr(168, 225), "/nonexistent-swap"), "swapoff", EPERM));
        attempt(t, "init module", () -> judge(NativeCalls.call(nr(175, 105), new byte[64], 64, ""), "init_module", EPERM));
        attempt(t, "finit module", () -> judge(NativeCalls.call(nr(313, 273), -1, "", 0), "finit_module", EPERM));
        attempt(t, "delete module", () -> judge(NativeCalls.call(nr(176, 106), "landlock_nonexistent", 0x800),
                "delete_module", EPERM));
        // Unknown flags: a kexec_load that gets past the permission check answers EINVAL.
        attempt(t, "kexec load", () -> judge(NativeCalls.call(nr(246, 104), 0, 0, 0, 0x7fff0000L), "kexec_load", EPERM));
        attempt(t, "kexec file load", () -> judge(NativeCalls.call(nr(320, 294), -1, -1, 0, 0, 0), "kexec_file_load", EPERM));
        if (X86) {
            attempt(t, "iopl", () -> judge(NativeCalls.call(172, 3), "iopl(3)", EPERM));
            attempt(t, "ioperm", () -> judge(NativeCalls.call(173, 0x80, 1, 1), "ioperm(0x80)", EPERM));
            attempt(t, "modify ldt", () -> judge(NativeCalls.call(154, 0, new byte[64], 64), "modify_ldt(read)", EPERM));
        }
        attempt(t, "settimeofday", () -> judge(NativeCalls.call(nr(164, 170), 0, 0), "settimeofday(NULL, NULL)", EPERM));
        attempt(t, "clock settime", () -> {
            byte[] ts = new byte[16];
            ts[8] = (byte) 0xff; // tv_nsec out of range: EINVAL if the call were let through
            ts[9] = (byte) 0xff;
            ts[10] = (byte) 0xff;
            ts[11] = (byte) 0x7f;
            return judge(NativeCalls.call(nr(227, 112), 0, ts), "clock_settime(CLOCK_REALTIME, invalid)", EPERM);
        });
        attempt(t, "adjtimex", () -> judge(NativeCalls.call(nr(159, 171), new byte[256]), "adjtimex(read)", EPERM));
        attempt(t, "open by handle", () -> judge(NativeCalls.call(nr(304, 265), AT_FDCWD, new byte[128], 0),
                "open_by_handle_at", EPERM));
        attempt(t, "quotactl", () -> judge(NativeCalls.call(nr(179, 60), 0x800001 /* Q_SYNC, USRQUOTA */, 0, 0, 0),
                "quotactl(Q_SYNC)", EPERM));
        attempt(t, "acct", () -> judge(NativeCalls.call(nr(163, 89), "/nonexistent-acct"), "acct", EPERM));
        attempt(t, "syslog read", () -> judge(NativeCalls.call(nr(103, 116), 10 /* SIZE_BUFFER */, 0, 0), "syslog", EPERM));
        attempt(t, "sethostname", () -> judge(NativeCalls.call(nr(170, 161), "x", -1), "sethostname(len -1)", EPERM));
        attempt(t, "setdomainname", () -> judge(NativeCalls.call(nr(171, 162), "x", -1), "setdomainname(len -1)", EPERM));
        attempt(t, "add key", () -> judge(NativeCalls.call(nr(248, 217), "user", "landlock", "x", 1, -2 /* process keyring */),
                "add_key", EPERM));
        attempt(t, "keyctl", () -> judge(NativeCalls.call(nr(250, 219), 0 /* GET_KEYRING_ID */, -3 /* session */, 0),
                "keyctl", EPERM));
        attempt(t, "personality no aslr", () -> judge(NativeCalls.call(nr(135, 92), 0x0040000), "personality(ADDR_NO_RANDOMIZE)",
                EPERM));
        attempt(t, "unshare user namespace", () -> judge(NativeCalls.call(nr(272, 97), 0x10000000), "unshare(CLONE_NEWUSER)",
                EPERM));
        attempt(t, "unshare mount namespace", () -> judge(NativeCalls.call(nr(272, 97), 0x00020000), "unshare(CLONE_NEWNS)",
                EPERM));
        attempt(t, "setns", () -> judge(NativeCalls.call(nr(308, 268), -1, 0), "setns", EPERM));
        // A size below CLONE_ARGS_SIZE_VER0 (64): a clone3 that got through answers EINVAL and forks nothing.
        attempt(t, "clone3", () -> judge(NativeCalls.call(435, new byte[88], 8), "clone3(size 8)", EPERM, ENOSYS));
        attempt(t, "mount tmpfs", () -> judge(NativeCalls.call(nr(165, 40), "none", "/tmp", "tmpfs", 0, 0), "mount", EPERM));
        attempt(t, "umount", () -> judge(NativeCalls.call(nr(166, 39), "/nonexistent-mount", 0), "umount2", EPERM));
        attempt(t, "chroot", () -> judge(NativeCalls.call(nr(161, 51), "/"), "chroot", EPERM));
        attempt(t, "perf event open", () -> judge(NativeCalls.call(nr(298, 241), new byte[128], 0, -1, -1, 0),
                "perf_event_open", EPERM, EACCES));
        attempt(t, "userfaultfd", () -> {
            long r = NativeCalls.call(nr(323, 282), 0x80000 /* O_CLOEXEC */);
            if (r >= 0) {
                NativeCalls.close((int) r);
            }
            return judge(r, "userfaultfd", EPERM);
        });
        attempt(t, "kcmp", () -> judge(NativeCalls.call(nr(312, 272), ProcessHandle.current().pid(), 1, 0, 0, 0), "kcmp", EPERM));
        attempt(t, "io uring setup", () -> judge(NativeCalls.ioUringSetup(), "io_uring_setup", EPERM));
        attempt(t, "mknod block device", () -> judge(NativeCalls.call(nr(259, 33), AT_FDCWD, "/tmp/landlock-blk-" + t,
                060600, 0x0801), "mknodat(block 8:1)", EPERM, EACCES, EROFS));
        if (X86) {
            attempt(t, "x32 kexec load", () -> judge(NativeCalls.call(528 | 0x4000_0000, 0, 0, 0, 0x7fff0000L), "x32 kexec_load",
                    EPERM));
            attempt(t, "x32 reboot", () -> judge(NativeCalls.call(169 | 0x4000_0000, 0, 0, 0, 0), "x32 reboot", EPERM));
            attempt(t, "i386 reboot", () -> judge(NativeCalls.i386(88, 0, 0, 0), "int 0x80 reboot(wrong magic)", EPERM));
            attempt(t, "i386 iopl", () -> judge(NativeCalls.i386(110, 3, 0, 0), "int 0x80 iopl(3)", EPERM));
            attempt(t, "i386 unshare user namespace", () -> judge(NativeCalls.i386(310, 0x10000000, 0, 0),
                    "int 0x80 unshare(CLONE_NEWUSER)", EPERM));
            attempt(t, "i386 kexec load", () -> judge(NativeCalls.i386(283, 0, 0, 0), "int 0x80 kexec_load", EPERM));
        } else {
            limit(t, "x32 abi", "no x32 on " + System.getProperty("os.arch"));
        }
    }
}
