package dev.landlockagent.linux;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcStatusTest {
    static final String STATUS = "Name:\tjava\nUmask:\t0022\nUid:\t1000\t1001\t1002\t1003\nCapEff:\t000001ffffffffff\n"
            + "NoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t3\n";

    @Test
    void fieldsByTheirExactName() {
        ProcStatus s = ProcStatus.parse(STATUS);
        assertEquals("java", s.field("Name"));
        assertEquals(2, s.number("Seccomp", 0), "not Seccomp_filters");
        assertEquals(3, s.number("Seccomp_filters", 0));
        assertEquals(1, s.number("NoNewPrivs", -1));
        assertEquals(0x1ffffffffffL, s.mask("CapEff"));
        assertEquals(0, s.mask("CapAmb"));
        assertEquals("1001", s.part("Uid", 1));
        assertNull(s.field("Tgid"));
        assertEquals(-1, s.number("Tgid", -1));
        assertEquals(-1, s.number("Name", -1), "not a number");
    }

    @Test
    void thisProcesss() throws IOException {
        ProcStatus s = ProcStatus.self();
        assertEquals(ProcessHandle.current().pid(), s.number("Tgid", -1));
        assertTrue(s.field("CapBnd") != null);
    }
}
