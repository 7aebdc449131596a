package dev.landlockagent.linux;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A process's {@code /proc/PID/status}, read once: the fields the agent asks (Seccomp, NoNewPrivs,
 * the capability sets, Uid, TracerPid) by name, as proc(5) writes them ({@code Name:\tvalue}).
 */
public final class ProcStatus {
    private final String text;

    private ProcStatus(String text) {
        this.text = text;
    }

    /** This process's (the thread-group leader's). */
    public static ProcStatus self() throws IOException {
        return of(Path.of("/proc/self/status"));
    }

    public static ProcStatus of(Path status) throws IOException {
        try (FileInputStream in = new FileInputStream(status.toFile())) {
            return new ProcStatus(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        }
    }

    /** For tests: the file's text. */
    public static ProcStatus parse(String text) {
        return new ProcStatus(text);
    }

    /** The field's value, trimmed, or null where the kernel does not write it. */
    public String field(String name) {
        String key = name + ":";
        int at = text.startsWith(key) ? 0 : text.indexOf("\n" + key);
        if (at < 0) {
            return null;
        }
        int start = at == 0 ? key.length() : at + 1 + key.length();
        int end = text.indexOf('\n', start);
        return text.substring(start, end < 0 ? text.length() : end).strip();
    }

    /** A decimal field (Seccomp, NoNewPrivs, TracerPid), or {@code absent} where there is none. */
    public long number(String name, long absent) {
        String v = field(name);
        if (v == null) {
            return absent;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    /** A hexadecimal mask (CapInh, CapPrm, CapEff, CapBnd, CapAmb), or 0 where there is none. */
    public long mask(String name) {
        String v = field(name);
        return v == null ? 0 : Long.parseUnsignedLong(v, 16);
    }

    /** The i-th whitespace-separated value of a field (Uid: real, effective, saved, filesystem), or null. */
    public String part(String name, int i) {
        String v = field(name);
        if (v == null) {
            return null;
        }
        String[] parts = v.split("\\s+");
        return i < parts.length ? parts[i] : null;
    }
}
