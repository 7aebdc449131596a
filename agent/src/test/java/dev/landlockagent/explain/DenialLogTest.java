package dev.landlockagent.explain;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the log of denials says, and that no stream of denials can flood it. */
class DenialLogTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream saved;

    @BeforeEach
    void captureStderr() {
        saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(saved);
    }

    private long warnLines() {
        return Arrays.stream(err.toString(StandardCharsets.UTF_8).split("\n")).filter(l -> l.contains(" WARN ")).count();
    }

    private static Denial fileRead(String folder, String name) {
        return Denial.byPolicy("read " + folder + "/" + name, "nothing", "{\"path\": \"" + folder + "/" + name + "\"}",
                "\"filesystem\"", Denial.Facts.path("read", folder + "/" + name), "\"filesystem\": read_file in " + folder);
    }

    @Test
    void manyDeniedFilesOfOneFolderAreOneLineAndTheirCountIsSummarised() {
        DenialLog log = new DenialLog();
        for (int i = 0; i < 200; i++) {
            log.record(fileRead("/srv/files", "f" + i + ".txt"), "policy.json");
        }
        assertEquals(1, warnLines(), err.toString(StandardCharsets.UTF_8));
        log.summary();
        String out = err.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("denied 200 times in all: read /srv/files/f0.txt and others of its kind"
                + " (\"filesystem\": read_file in /srv/files)"), out);
    }

    @Test
    void beyondTheBoundDenialsAreCountedNotLogged() {
        DenialLog log = new DenialLog();
        int folders = DenialLog.MAX_KINDS + 1000;
        for (int i = 0; i < folders; i++) {
            log.record(fileRead("/srv/d" + i, "x"), "policy.json");
        }
        assertEquals(DenialLog.MAX_KINDS + 1, warnLines(), "one line per kind, and one saying the rest are counted");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("more than 256 kinds of denial: the others are counted, not logged"));
        log.summary();
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("denied 1000 more times, of kinds beyond the first 256"));
    }

    @Test
    void denialsTheSameRuleFixesAreOneKindAndOthersAreNot() {
        DenialLog log = new DenialLog();
        Denial udp = Denial.byPolicy("socket(AF_INET, SOCK_DGRAM, 0)", "none", "{\"domain\": \"inet\", \"type\": \"dgram\"}",
                "\"sockets\"", Denial.Facts.socket("inet", "dgram", "default"));
        Denial tcp = Denial.byPolicy("socket(AF_INET, SOCK_STREAM, 0)", "none", "{\"domain\": \"inet\", \"type\": \"stream\"}",
                "\"sockets\"", Denial.Facts.socket("inet", "stream", "default"));
        log.record(udp, "policy.json");
        log.record(udp, "policy.json");
        log.record(tcp, "policy.json");
        assertEquals(2, warnLines(), err.toString(StandardCharsets.UTF_8));
    }
}
