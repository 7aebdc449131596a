package dev.landlockagent.junit;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's report lines (the shape agent's DenialReportTest pins), read out of a JVM's stderr. */
class ResultTest {
    static final String PORT = "[landlock-agent] DENIAL {\"kind\":\"network\",\"what\":\"connect to 10.0.0.5:5432 (TCP)\","
            + "\"byPolicy\":true,\"policy\":\"/etc/p.json\",\"where\":\"\\\"network\\\".\\\"tcp\\\".\\\"connect\\\"\","
            + "\"rule\":\"5432\",\"allowed\":\"no connects\",\"operation\":\"connect\",\"protocol\":\"tcp\",\"port\":5432,"
            + "\"address\":\"10.0.0.5\"}";
    static final String PATH = "[landlock-agent] DENIAL {\"kind\":\"elsewhere\",\"what\":\"chmod /srv/a\\\"b\\n\","
            + "\"byPolicy\":false,\"policy\":\"p\",\"elsewhere\":\"a mount option\",\"operation\":\"chmod\","
            + "\"path\":\"/srv/a\\\"b\\n\",\"syscalls\":\"@setid-modes\",\"host\":\"\\u003dx\"}";

    @Test
    void reportLinesBecomeTypedDenialsAndLeaveStderr() {
        String stderr = "[landlock-agent] INFO confined by p\n" + PORT + "\nthe program's line\npartial " + PATH + "\nlast";
        SandboxedJvm.Result r = SandboxedJvm.Result.of(List.of("java"), 1, "", stderr);
        assertEquals("[landlock-agent] INFO confined by p\nthe program's line\npartial last", r.stderr());
        assertEquals(2, r.denials().size());

        Denial port = r.denials().get(0);
        assertEquals("network", port.kind());
        assertTrue(port.byPolicy());
        assertEquals("\"network\".\"tcp\".\"connect\"", port.where());
        assertEquals("5432", port.rule());
        assertEquals(5432, port.port());
        assertEquals("10.0.0.5", port.address());
        assertEquals("tcp", port.protocol());
        assertNull(port.path());

        Denial path = r.denials().get(1);
        assertFalse(path.byPolicy());
        assertEquals("/srv/a\"b\n", path.path());
        assertEquals("@setid-modes", path.syscalls());
        assertEquals("=x", path.host());
        assertEquals(-1, path.port());
        assertNull(path.rule());
        assertEquals(List.of(path), r.denials("elsewhere"));
    }

    @Test
    void aLineWithoutItsEndIsNotAReport() {
        SandboxedJvm.Result r = SandboxedJvm.Result.of(List.of("java"), 0, "", PORT);
        assertEquals(List.of(), r.denials(), "the JVM died while writing it");
        assertEquals(PORT, r.stderr());
    }

    @Test
    void brokenJsonIsRefusedWithItsPlace() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlatJson.parse("{\"a\": tru}"));
        assertTrue(e.getMessage().startsWith("expected a value at 6"), e.getMessage());
    }
}
