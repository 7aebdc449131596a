package dev.landlockagent.explain;

import com.google.gson.stream.JsonWriter;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * With {@code -D}{@value #PROPERTY}{@code =stderr}, every denial (repeats included) is also written
 * as one line, {@value #PREFIX} and a flat JSON object, straight to file descriptor 2: for a test
 * harness that launched the JVM (landlock-agent-junit's {@code SandboxedJvm}) to read the denials
 * as typed values. Straight to the descriptor, so that neither the application's logging nor a
 * {@code System.setErr} can swallow or reformat it. Off by default: nothing is written.
 */
final class DenialReport {
    static final String PROPERTY = "landlock.denial.report";
    static final String PREFIX = "[landlock-agent] DENIAL ";

    private static final FileOutputStream FD2 = "stderr".equals(System.getProperty(PROPERTY))
            ? new FileOutputStream(FileDescriptor.err) : null;

    private DenialReport() {
    }

    static void write(Denial d, String policyOrigin) {
        if (FD2 == null) {
            return;
        }
        String line = PREFIX + json(d, policyOrigin) + "\n";
        synchronized (FD2) {
            try {
                FD2.write(line.getBytes(StandardCharsets.UTF_8));
            } catch (IOException closed) {
                // stderr is gone: the log line and the counts still hold the denial
            }
        }
    }

    /** The line's JSON: the denial's fields and its facts, absent where the operation has none. */
    static String json(Denial d, String policyOrigin) {
        StringWriter text = new StringWriter();
        try (JsonWriter w = new JsonWriter(text)) {
            w.beginObject();
            w.name("kind").value(d.kind());
            w.name("what").value(d.what());
            w.name("byPolicy").value(d.byPolicy());
            w.name("policy").value(policyOrigin);
            if (d.byPolicy()) {
                w.name("where").value(d.where());
                w.name("rule").value(d.rule());
                w.name("allowed").value(d.allowed());
            } else {
                w.name("elsewhere").value(d.elsewhere());
            }
            Denial.Facts f = d.facts();
            JsonWriter[] out = {w};
            f.forEach((key, value) -> {
                String name = key.equals("rule") ? "syscalls" : key; // the facts' syscall rule, apart from the rule to add
                try {
                    if (value instanceof Integer n) {
                        out[0].name(name).value(n.longValue());
                    } else {
                        out[0].name(name).value(String.valueOf(value));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            w.endObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return text.toString();
    }
}
