package dev.landlockagent.learn;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.linux.Arch;
import dev.landlockagent.linux.SeccompNotifications;
import dev.landlockagent.linux.SocketNames;
import dev.landlockagent.linux.SyscallException;
import dev.landlockagent.seccomp.LearnFilter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one syscall a thread waits in into what a policy would have to grant for it to succeed
 * under Landlock and the agent's filter: the rights each path needs (on the file, or on the folder
 * for the entries made and removed in it, as {@code security/landlock/fs.c} checks them), the
 * socket kind, the port, the UNIX socket. It reads the syscall's memory before the syscall runs,
 * so it also knows what existed before: a create of something that exists needs no make right,
 * and what does not exist cannot be opened at all (no rule needed; it fails as it would anyway).
 */
final class SyscallDecoder {
    private static final int AT_FDCWD = -100;
    private static final int AT_REMOVEDIR = 0x200;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int O_ACCMODE = 3;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;
    private static final int O_PATH = 010000000;
    private static final int O_TMPFILE_BASE = 020000000;
    private static final int RENAME_EXCHANGE = 2;
    private static final int S_IFMT = 0170000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_DOMAIN = 39;
    private static final int DNS_PORT = 53;

    private final Map<Integer, String> names = new HashMap<>();
    private final Arch arch;
    private final SeccompNotifications notifications;
    private final Map<Long, Integer> pidfds = new HashMap<>();
    private static final int MAX_OPENED = 100_000;
    private final java.util.Set<String> opened = new java.util.HashSet<>();

    SyscallDecoder(Arch arch, SeccompNotifications notifications) {
        this.arch = arch;
        this.notifications = notifications;
        List<String> all = new ArrayList<>(LearnFilter.SYSCALLS);
        all.add("sendto");
        for (String name : all) {
            for (int nr : arch.table.numbers(name)) {
                names.putIfAbsent(nr, name);
            }
        }
    }

    /** The syscall's name, or null for one the filter does not stop. */
    String name(int nr) {
        return names.get(nr);
    }

    List<Need> decode(Tracee t, long tgid, int nr, long[] a) throws IOException {
        return decode(t, tgid, arch.auditArch, nr, a);
    }

    /** As the filter stops them: every call of the process's own ABI; socket kinds of x32 and 32-bit programs. */
    List<Need> decode(Tracee t, long tgid, int auditArch, int nr, long[] a) throws IOException {
        List<Need> out = new ArrayList<>();
        if (auditArch == arch.compat.auditArch()) {
            if (nr == arch.compat.socket() || nr == arch.compat.socketpair()) {
                out.add(new Need.Socket((int) a[0], (int) a[1] & 0xf, (int) a[2], nr == arch.compat.socketpair()));
            } else if (nr == arch.compat.socketcall() && (a[0] == 1 || a[0] == 8)) {
                // socketcall(SYS_SOCKET or SYS_SOCKETPAIR, u32 args[]): the arguments are in memory.
                ByteBuffer b = ByteBuffer.wrap(t.read(a[1] & 0xFFFF_FFFFL, 12)).order(ByteOrder.LITTLE_ENDIAN);
                if (b.remaining() == 12) {
                    out.add(new Need.Socket(b.getInt(), b.getInt() & 0xf, b.getInt(), a[0] == 8));
                }
            }
            return out;
        }
        if (arch.x32SyscallBit != 0 && (nr & arch.x32SyscallBit) != 0) {
            int plain = nr & ~arch.x32SyscallBit;
            if (plain == arch.socket || plain == arch.socketpair) {
                out.add(new Need.Socket((int) a[0], (int) a[1] & 0xf, (int) a[2], plain == arch.socketpair));
            }
            return out;
        }
        String name = names.get(nr);
        if (name == null) {
            return out;
        }
        switch (name) {
            case "open" -> open(t, tgid, AT_FDCWD, a[0], (int) a[1], out);
            case "openat" -> open(t, tgid, (int) a[0], a[1], (int) a[2], out);
            case "openat2" -> open(t, tgid, (int) a[0], a[1], (int) t.readLong(a[2]), out);
            case "creat" -> open(t, tgid, AT_FDCWD, a[0], O_CREAT | 1 | O_TRUNC, out);
            case "mkdir" -> make(t, tgid, AT_FDCWD, a[0], AccessFs.MAKE_DIR, out);
            case "mkdirat" -> make(t, tgid, (int) a[0], a[1], AccessFs.MAKE_DIR, out);
            case "mknod" -> make(t, tgid, AT_FDCWD, a[0], nodeRight((int) a[1]), out);
            case "mknodat" -> make(t, tgid, (int) a[0], a[1], nodeRight((int) a[2]), out);
            case "symlink" -> make(t, tgid, AT_FDCWD, a[1], AccessFs.MAKE_SYM, out);
            case "symlinkat" -> make(t, tgid, (int) a[1], a[2], AccessFs.MAKE_SYM, out);
            case "rmdir" -> remove(t, tgid, AT_FDCWD, a[0], true, out);
            case "unlink" -> remove(t, tgid, AT_FDCWD, a[0], false, out);
            case "unlinkat" -> remove(t, tgid, (int) a[0], a[1], ((int) a[2] & AT_REMOVEDIR) != 0, out);
            case "rename" -> rename(t, tgid, AT_FDCWD, a[0], AT_FDCWD, a[1], 0, out);
            case "renameat" -> rename(t, tgid, (int) a[0], a[1], (int) a[2], a[3], 0, out);
            case "renameat2" -> rename(t, tgid, (int) a[0], a[1], (int) a[2], a[3], (int) a[4], out);
            case "link" -> link(t, tgid, AT_FDCWD, a[0], AT_FDCWD, a[1], out);
            case "linkat" -> link(t, tgid, (int) a[0], a[1], (int) a[2], a[3], out);
            case "truncate" -> truncate(resolve(t, tgid, AT_FDCWD, t.readPath(a[0])), out);
            case "ftruncate" -> {
                String target = t.descriptor((int) a[0]);
                if (target.startsWith("/")) {
                    truncate(Path.of(target), out);
                }
            }
            case "execve" -> exec(resolve(t, tgid, AT_FDCWD, t.readPath(a[0])), out);
            case "execveat" -> {
                String p = t.readPath(a[1]);
                Path target = p.isEmpty() && ((int) a[4] & AT_EMPTY_PATH) != 0
                        ? Path.of(t.descriptor((int) a[0])) : resolve(t, tgid, (int) a[0], p);
                exec(target, out);
            }
            case "socket" -> out.add(new Need.Socket((int) a[0], (int) a[1] & 0xf, (int) a[2], false));
            case "socketpair" -> out.add(new Need.Socket((int) a[0], (int) a[1] & 0xf, (int) a[2], true));
            case "bind" -> address(t, tgid, (int) a[0], a[1], (int) a[2], "bind", out);
            case "connect" -> address(t, tgid, (int) a[0], a[1], (int) a[2], "connect", out);
            case "sendto" -> address(t, tgid, (int) a[0], a[4], (int) a[5], "connect", out);
            case "sendmsg" -> message(t, tgid, (int) a[0], a[1], out);
            case "sendmmsg" -> {
                int n = (int) Math.min(a[2], 16);
                for (int i = 0; i < n; i++) {
                    message(t, tgid, (int) a[0], a[1] + 64L * i, out); // struct mmsghdr: msghdr (56) + u32, padded
                }
            }
            case "listen" -> {
                int domain = socketOption(tgid, (int) a[0], SO_DOMAIN);
                if (domain == SocketNames.AF_UNIX) {
                    out.add(new Need.Unix("listen", "", false));
                } else if (SocketNames.isInet(domain)) {
                    out.add(new Need.Port("tcp", "listen", 0));
                }
            }
            case "kill" -> {
                long pid = (int) a[0];
                if (pid > 0 && (int) a[1] >= 0) {
                    out.add(new Need.Signal(pid, Tracee.commandLine(pid)));
                }
            }
            default -> {
            }
        }
        return out;
    }

    private static AccessFs nodeRight(int mode) {
        return switch (mode & S_IFMT) {
            case 0020000 -> AccessFs.MAKE_CHAR;
            case 0060000 -> AccessFs.MAKE_BLOCK;
            case 0010000 -> AccessFs.MAKE_FIFO;
            case 0140000 -> AccessFs.MAKE_SOCK;
            default -> AccessFs.MAKE_REG;
        };
    }

    /**
     * The absolute path a syscall names, as the kernel resolves its folders (symbolic links in
     * them followed), without following the last component. {@code /proc/self} is the tracee's.
     */
    static Path resolve(Tracee t, long tgid, int dirfd, String path) throws IOException {
        if (path.equals("/proc/self") || path.startsWith("/proc/self/")) {
            path = "/proc/" + tgid + path.substring("/proc/self".length());
        } else if (path.equals("/proc/thread-self") || path.startsWith("/proc/thread-self/")) {
            path = "/proc/" + tgid + "/task/" + t.tid() + path.substring("/proc/thread-self".length());
        }
        Path p = Path.of(path);
        if (!p.isAbsolute()) {
            Path base = dirfd == AT_FDCWD ? t.cwd() : Path.of(t.descriptor(dirfd));
            p = base.resolve(p);
        }
        p = p.normalize();
        Path parent = p.getParent();
        if (parent == null || p.getFileName() == null) {
            return p;
        }
        try {
            return parent.toRealPath().resolve(p.getFileName());
        } catch (IOException e) {
            return p;
        }
    }

    /** The path with its last component followed too, where it exists. */
    private static Path followed(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    private void open(Tracee t, long tgid, int dirfd, long pathAddress, int flags, List<Need> out) throws IOException {
        if ((flags & O_PATH) != 0) {
            return; // Landlock checks no right for an O_PATH descriptor
        }
        String written = t.readPath(pathAddress);
        if (written.startsWith("/") && !written.startsWith("/proc/self") && !written.startsWith("/proc/thread-self")) {
            // The same absolute open again needs nothing new (what it made, it made the first time):
            // the hot path of a file-heavy workload skips resolving it.
            if (opened.size() > MAX_OPENED) {
                opened.clear();
            }
            if (!opened.add(tgid + ":" + flags + ":" + written)) {
                return;
            }
        }
        Path path = resolve(t, tgid, dirfd, written);
        int mode = flags & O_ACCMODE;
        if ((flags & O_TMPFILE_BASE) != 0) {
            out.add(new Need.OnPath(followed(path), AccessFs.MAKE_REG.mask() | AccessFs.WRITE_FILE.mask()));
            return;
        }
        Path real = followed(path);
        if (!Files.exists(real)) {
            if ((flags & O_CREAT) == 0 || real.getParent() == null) {
                return; // ENOENT with or without a rule
            }
            out.add(new Need.Made(real));
            out.add(new Need.OnPath(real.getParent(), AccessFs.MAKE_REG.mask()));
            long own = mode == 0 ? AccessFs.READ_FILE.mask() : mode == 1 ? AccessFs.WRITE_FILE.mask()
                    : AccessFs.READ_FILE.mask() | AccessFs.WRITE_FILE.mask();
            if ((flags & O_TRUNC) != 0 && mode != 0) {
                own |= AccessFs.TRUNCATE.mask(); // the next run finds the file, and O_TRUNC truncates it
            }
            out.add(new Need.OnPath(real, own));
            return;
        }
        if (Files.isDirectory(real)) {
            if (mode == 0) {
                out.add(new Need.OnPath(real, AccessFs.READ_DIR.mask()));
            }
            return;
        }
        long rights = switch (mode) {
            case 0 -> AccessFs.READ_FILE.mask();
            case 1 -> AccessFs.WRITE_FILE.mask();
            default -> AccessFs.READ_FILE.mask() | AccessFs.WRITE_FILE.mask();
        };
        if ((flags & O_TRUNC) != 0 && mode != 0) {
            rights |= AccessFs.TRUNCATE.mask();
        }
        out.add(new Need.OnPath(real, rights));
    }

    private void make(Tracee t, long tgid, int dirfd, long pathAddress, AccessFs right, List<Need> out) throws IOException {
        Path path = resolve(t, tgid, dirfd, t.readPath(pathAddress));
        if (exists(path) || path.getParent() == null) {
            return; // EEXIST
        }
        out.add(new Need.Made(path));
        out.add(new Need.OnPath(path.getParent(), right.mask()));
    }

    private static AccessFs removeRight(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? AccessFs.REMOVE_DIR : AccessFs.REMOVE_FILE;
    }

    private static AccessFs makeRight(Path p) {
        if (Files.isSymbolicLink(p)) {
            return AccessFs.MAKE_SYM;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return AccessFs.MAKE_DIR;
        }
        try {
            int type = ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & S_IFMT;
            return nodeRight(type);
        } catch (IOException | RuntimeException e) {
            return AccessFs.MAKE_REG;
        }
    }

    /**
     * unlink(2), rmdir(2). Removing what does not exist needs the right too: the application means
     * to remove it, and on the next run it may be there (a server removes its stale socket file
     * before it binds the socket again).
     */
    private void remove(Tracee t, long tgid, int dirfd, long pathAddress, boolean folder, List<Need> out) throws IOException {
        Path path = resolve(t, tgid, dirfd, t.readPath(pathAddress));
        if (path.getParent() == null || !Files.isDirectory(path.getParent())) {
            return;
        }
        AccessFs right = exists(path) ? removeRight(path) : folder ? AccessFs.REMOVE_DIR : AccessFs.REMOVE_FILE;
        out.add(new Need.OnPath(path.getParent(), right.mask()));
    }

    private void rename(Tracee t, long tgid, int oldDir, long oldAddress, int newDir, long newAddress, int flags,
                        List<Need> out) throws IOException {
        Path from = resolve(t, tgid, oldDir, t.readPath(oldAddress));
        Path to = resolve(t, tgid, newDir, t.readPath(newAddress));
        if (!exists(from) || from.getParent() == null || to.getParent() == null) {
            return;
        }
        long source = removeRight(from).mask();
        long target = makeRight(from).mask();
        if (exists(to)) {
            target |= removeRight(to).mask();
            if ((flags & RENAME_EXCHANGE) != 0) {
                source |= makeRight(to).mask();
            }
        } else {
            out.add(new Need.Made(to));
        }
        if (!from.getParent().equals(to.getParent())) {
            source |= AccessFs.REFER.mask();
            target |= AccessFs.REFER.mask();
        }
        out.add(new Need.OnPath(from.getParent(), source));
        out.add(new Need.OnPath(to.getParent(), target));
    }

    private void link(Tracee t, long tgid, int oldDir, long oldAddress, int newDir, long newAddress, List<Need> out)
            throws IOException {
        Path from = resolve(t, tgid, oldDir, t.readPath(oldAddress));
        Path to = resolve(t, tgid, newDir, t.readPath(newAddress));
        if (!exists(from) || exists(to) || to.getParent() == null || from.getParent() == null) {
            return;
        }
        long target = makeRight(from).mask();
        out.add(new Need.Made(to));
        if (!from.getParent().equals(to.getParent())) {
            target |= AccessFs.REFER.mask();
            out.add(new Need.OnPath(from.getParent(), AccessFs.REFER.mask()));
        }
        out.add(new Need.OnPath(to.getParent(), target));
    }

    private static void truncate(Path path, List<Need> out) {
        Path real = followed(path);
        if (Files.exists(real)) {
            out.add(new Need.OnPath(real, AccessFs.TRUNCATE.mask()));
        }
    }

    /** execve opens the program to read and execute it, and a script's interpreter too. */
    private static void exec(Path path, List<Need> out) {
        Path real = followed(path);
        if (!Files.isRegularFile(real)) {
            return;
        }
        long rights = AccessFs.EXECUTE.mask() | AccessFs.READ_FILE.mask();
        out.add(new Need.OnPath(real, rights));
        try (java.io.InputStream in = Files.newInputStream(real)) {
            byte[] head = in.readNBytes(256);
            if (head.length > 2 && head[0] == '#' && head[1] == '!') {
                String line = new String(head, 2, head.length - 2, StandardCharsets.UTF_8);
                int nl = line.indexOf('\n');
                String[] words = (nl < 0 ? line : line.substring(0, nl)).trim().split("\\s+");
                if (words.length > 0 && words[0].startsWith("/")) {
                    Path interpreter = followed(Path.of(words[0]));
                    if (Files.isRegularFile(interpreter)) {
                        out.add(new Need.OnPath(interpreter, rights));
                    }
                }
            }
        } catch (IOException e) {
            // not readable by the supervisor: the program's own rule is enough to say
        }
    }

    private void message(Tracee t, long tgid, int fd, long msghdr, List<Need> out) throws IOException {
        // struct msghdr: void *msg_name @0, socklen_t msg_namelen @8.
        long name = t.readLong(msghdr);
        if (name != 0) {
            int length = (int) t.readLong(msghdr + 8);
            address(t, tgid, fd, name, length, "connect", out);
        }
    }

    private void address(Tracee t, long tgid, int fd, long address, int length, String direction, List<Need> out)
            throws IOException {
        if (address == 0 || length < 2) {
            return;
        }
        byte[] raw = t.read(address, Math.min(length, 110));
        if (raw.length < 2) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        int family = b.getShort(0) & 0xFFFF;
        if (family == SocketNames.AF_INET || family == SocketNames.AF_INET6) {
            if (raw.length < 4) {
                return;
            }
            int port = ((raw[2] & 0xFF) << 8) | (raw[3] & 0xFF);
            int type = socketOption(tgid, fd, SO_TYPE);
            String transport = type == SocketNames.SOCK_DGRAM ? "udp" : type == SocketNames.SOCK_STREAM ? "tcp" : null;
            if (transport == null) {
                return;
            }
            if (direction.equals("connect") && port == DNS_PORT) {
                out.add(new Need.Resolver());
            } else {
                out.add(new Need.Port(transport, direction, port));
            }
        } else if (family == SocketNames.AF_UNIX) {
            if (raw.length <= 2) {
                if (direction.equals("bind")) {
                    out.add(new Need.Unix("bind", "", true)); // autobind: an abstract name the kernel picks
                }
                return;
            }
            if (raw[2] == 0) {
                out.add(new Need.Unix(direction, new String(raw, 3, raw.length - 3, StandardCharsets.ISO_8859_1), true));
                return;
            }
            int end = 2;
            while (end < raw.length && raw[end] != 0) {
                end++;
            }
            Path path = resolve(t, tgid, AT_FDCWD, new String(raw, 2, end - 2, StandardCharsets.UTF_8));
            if (direction.equals("bind")) {
                if (!exists(path) && path.getParent() != null) {
                    out.add(new Need.Made(path));
                    out.add(new Need.OnPath(path.getParent(), AccessFs.MAKE_SOCK.mask()));
                    out.add(new Need.Unix("bind", path.toString(), false));
                }
            } else if (exists(path)) {
                out.add(new Need.Unix("connect", path.toString(), false));
            }
        }
    }

    /** An int socket option of another process's descriptor (a copy taken with pidfd_getfd), or -1. */
    private int socketOption(long tgid, int fd, int option) {
        try {
            Integer pidfd = pidfds.get(tgid);
            if (pidfd == null) {
                pidfd = notifications.pidfdOpen(tgid);
                pidfds.put(tgid, pidfd);
            }
            int copy = notifications.pidfdGetfd(pidfd, fd);
            try {
                return notifications.socketOption(copy, SOL_SOCKET, option);
            } finally {
                notifications.close(copy);
            }
        } catch (SyscallException e) {
            return -1;
        }
    }

    /** The process ended: its pidfd goes. */
    void forget(long tgid) {
        Integer pidfd = pidfds.remove(tgid);
        if (pidfd != null) {
            notifications.close(pidfd);
        }
    }
}
