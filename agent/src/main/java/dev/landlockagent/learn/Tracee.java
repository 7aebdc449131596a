package dev.landlockagent.learn;

import dev.landlockagent.linux.ProcStatus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the supervisor reads about a thread that waits in a notified syscall: its memory (the
 * syscall's path and address arguments), its working directory, its descriptors, its process.
 * Through {@code /proc/<tid>}, which needs ptrace access to it: the supervisor is the JVM's child,
 * so the JVM names it as its ptracer (Yama's ptrace_scope 1), or runs as root.
 */
final class Tracee {
    private static final int PAGE = 4096;
    private static final int PATH_MAX = 4096;

    private final int tid;
    private java.nio.channels.FileChannel mem;
    private long tgid = -1;

    Tracee(int tid) {
        this.tid = tid;
    }

    int tid() {
        return tid;
    }

    private Path proc(String name) {
        return Path.of("/proc", Integer.toString(tid), name);
    }

    /** Bytes at {@code address}, fewer where the memory ends. */
    byte[] read(long address, int length) throws IOException {
        try {
            return readOnce(address, length);
        } catch (IOException stale) {
            close(); // the thread's process exec'd a new program: its memory is another file now
            mem = null;
            return readOnce(address, length);
        }
    }

    private byte[] readOnce(long address, int length) throws IOException {
        if (mem == null) {
            mem = java.nio.channels.FileChannel.open(proc("mem"), java.nio.file.StandardOpenOption.READ);
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(length);
        while (out.hasRemaining()) {
            int n = mem.read(out, address + out.position()); // one pread(2)
            if (n <= 0) {
                break;
            }
        }
        return out.position() == length ? out.array() : java.util.Arrays.copyOf(out.array(), out.position());
    }

    /** The NUL-terminated string at {@code address}, read a page at a time (never past a mapped page). */
    byte[] readCString(long address) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long at = address;
        while (out.size() < PATH_MAX) {
            int chunk = (int) (PAGE - (at % PAGE));
            byte[] b = read(at, chunk);
            if (b.length == 0) {
                break;
            }
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    out.write(b, 0, i);
                    return out.toByteArray();
                }
            }
            out.write(b, 0, b.length);
            at += b.length;
        }
        return out.toByteArray();
    }

    String readPath(long address) throws IOException {
        return new String(readCString(address), StandardCharsets.UTF_8);
    }

    long readLong(long address) throws IOException {
        byte[] b = read(address, 8);
        if (b.length < 8) {
            throw new IOException("cannot read 8 bytes at 0x" + Long.toHexString(address));
        }
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).getLong();
    }

    Path cwd() throws IOException {
        return Files.readSymbolicLink(proc("cwd"));
    }

    /** What descriptor {@code fd} names: a path, or "socket:[inode]", "pipe:[...]", "anon_inode:...". */
    String descriptor(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Integer.toString(tid), "fd", Integer.toString(fd))).toString();
    }

    /** The process (thread group) this thread belongs to. */
    long tgid() throws IOException {
        if (tgid < 0) {
            tgid = statusField(proc("status"), "Tgid");
        }
        return tgid;
    }

    /** A number from a {@code /proc/.../status} file, such as {@code PPid} or {@code Tgid}. */
    static long statusField(Path status, String name) throws IOException {
        long n = ProcStatus.of(status).number(name, -1);
        if (n < 0) {
            throw new IOException("no number " + name + " in " + status);
        }
        return n;
    }

    /** The thread's name (the first 15 characters of a Java thread's). */
    String threadName() {
        try {
            return Files.readString(proc("comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The process's command line, arguments joined by spaces. */
    static String commandLine(long pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String s = new String(b, StandardCharsets.UTF_8);
            while (s.endsWith("\0")) {
                s = s.substring(0, s.length() - 1);
            }
            return s.replace('\0', ' ');
        } catch (IOException e) {
            return "?";
        }
    }

    /** The process's executable, or null. */
    static Path executable(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe"));
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** The parent of process {@code pid}, or 0. */
    static long parent(long pid) {
        try {
            return statusField(Path.of("/proc", Long.toString(pid), "status"), "PPid");
        } catch (IOException e) {
            return 0; // gone
        }
    }

    /**
     * The shared library nearest the top of this thread's native stack that is not the C library,
     * the dynamic loader or the JDK's own: the native code that made the syscall, or null. A
     * heuristic: it scans the stack for return addresses into file-backed executable mappings.
     */
    String nativeLibrary(Path javaHome) {
        try {
            String[] sys = Files.readString(proc("syscall")).trim().split(" ");
            if (sys.length < 8) {
                return null;
            }
            long sp = Long.parseUnsignedLong(sys[sys.length - 2].substring(2), 16);
            java.util.List<long[]> ranges = new java.util.ArrayList<>();
            java.util.List<String> files = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(proc("maps"))) {
                String[] f = line.split("\\s+", 6);
                if (f.length < 6 || f[1].indexOf('x') < 0 || !f[5].startsWith("/")) {
                    continue;
                }
                String[] r = f[0].split("-");
                ranges.add(new long[] {Long.parseUnsignedLong(r[0], 16), Long.parseUnsignedLong(r[1], 16)});
                files.add(f[5]);
            }
            byte[] stack = read(sp, 16 * 1024);
            java.nio.ByteBuffer words = java.nio.ByteBuffer.wrap(stack).order(java.nio.ByteOrder.nativeOrder());
            while (words.remaining() >= 8) {
                long w = words.getLong();
                for (int i = 0; i < ranges.size(); i++) {
                    if (Long.compareUnsigned(w, ranges.get(i)[0]) >= 0 && Long.compareUnsigned(w, ranges.get(i)[1]) < 0) {
                        String file = files.get(i);
                        String name = Path.of(file).getFileName().toString();
                        if (name.startsWith("libc.so") || name.startsWith("libc-") || name.startsWith("ld-linux")
                                || name.startsWith("libpthread") || name.startsWith("ld-musl")
                                || (javaHome != null && file.startsWith(javaHome.toString()))) {
                            break;
                        }
                        return name;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not readable, or the thread moved on
        }
        return null;
    }

    void close() {
        if (mem != null) {
            try {
                mem.close();
            } catch (IOException e) {
                // nothing to keep
            }
        }
    }
}
