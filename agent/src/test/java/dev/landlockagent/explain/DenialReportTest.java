package dev.landlockagent.explain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The line a test harness reads (landlock-agent-junit's SandboxedJvm parses exactly this shape; its
 * ResultTest holds the same lines): one flat JSON object, the facts an operation has, nothing else.
 */
class DenialReportTest {
    @Test
    void aPortDenialHasItsPortAsANumberAndTheRuleToAdd() {
        Denial d = Denial.byPolicy("connect to 10.0.0.5:5432 (TCP)", "no connects", "5432", "\"network\".\"tcp\".\"connect\"",
                Denial.Facts.port("connect", "tcp", 5432, "10.0.0.5"));
        assertEquals("{\"kind\":\"network\",\"what\":\"connect to 10.0.0.5:5432 (TCP)\",\"byPolicy\":true,"
                + "\"policy\":\"/etc/p.json\",\"where\":\"\\\"network\\\".\\\"tcp\\\".\\\"connect\\\"\",\"rule\":\"5432\","
                + "\"allowed\":\"no connects\",\"operation\":\"connect\",\"protocol\":\"tcp\",\"port\":5432,"
                + "\"address\":\"10.0.0.5\"}", DenialReport.json(d, "/etc/p.json"));
    }

    @Test
    void aPathIsEscapedAndTheSyscallRuleIsApartFromTheRuleToAdd() {
        Denial d = Denial.elsewhere("chmod /srv/a\"b\n", "a mount option",
                Denial.Facts.path("chmod", "/srv/a\"b\n").withSyscalls("@setid-modes"));
        assertEquals("{\"kind\":\"elsewhere\",\"what\":\"chmod /srv/a\\\"b\\n\",\"byPolicy\":false,\"policy\":\"p\","
                + "\"elsewhere\":\"a mount option\",\"operation\":\"chmod\",\"path\":\"/srv/a\\\"b\\n\","
                + "\"syscalls\":\"@setid-modes\"}", DenialReport.json(d, "p"));
    }
}
