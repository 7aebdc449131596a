package dev.landlockagent.confine;

import dev.landlockagent.plan.PlanSummary;
import dev.landlockagent.policy.Location;
import dev.landlockagent.policy.Policy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The re-exec marker survives the command line intact, and anything else is not a marker. */
class MarkerTest {
    private static final PlanSummary SUMMARY = new PlanSummary(42, 3, 1, PlanSummary.ANY, PlanSummary.ABSENT,
            PlanSummary.ABSENT, 'a', 2, 3, 0x400, 1, List.of("ptrace"),
            List.of("TCP ports", "scopes"), "the read-only mount view needs CAP_SYS_ADMIN", true);

    /**
     * {@code ps} shows the marker to every user: a deny-all JVM's marker stays a short value, not
     * the INFO line's words (it was 340 characters with them).
     */
    @Test
    void theMarkerOfATypicalConfinementIsShort() {
        PlanSummary typical = new PlanSummary(39, 0, 0, 0, PlanSummary.ABSENT, PlanSummary.ABSENT, 'a', 0, 3, 0, 1,
                List.of(), List.of(), null, false);
        String encoded = new Marker(new ConfinementProof(4194304, 0x57d2_900c_dddac_5dfL, 0, 7), MovedOptions.NONE,
                new StartReport("re-exec", "/tmp/t14/p.json", typical, List.of(), "d437e219016e1068")).encode();
        assertTrue(encoded.length() <= 120, encoded.length() + ": " + encoded);
        assertEquals("39 fs rules (0 policy, 39 jvm); tcp bind 0 connect 0; sockets 0 kinds allowed; scopes"
                + " abstract-unix-socket,signal; capabilities none; privileged syscalls denied (list 1)",
                Marker.decode(encoded).report().summary().text());
    }

    @Test
    void aMarkerRoundTripsWithEveryFieldAndCharactersTheCommandLineWouldMangle() {
        Marker m = new Marker(new ConfinementProof(4242, 0xfedc_ba98_7654_3210L, 2, 7),
                new MovedOptions("-Dx='a b'&c=d", null),
                new StartReport("re-exec", "/srv/my app/policy.json", SUMMARY,
                        List.of("policy.json:3:5: udp: not enforced", "second % warning"), "cbf29ce484222325"));
        assertEquals(m, Marker.decode(m.encode()));
        assertEquals(m.report().line(7), Marker.decode(m.encode()).report().line(7));
    }

    @Test
    void theExitRuleTravelsInTheMarker() {
        StartReport report = new StartReport("re-exec", "/srv/p.json", SUMMARY, List.of(), "0");
        ConfinementProof proof = new ConfinementProof(1, 2, 0, 7);
        for (Policy.ExitRule rule : List.of(Policy.ExitRule.UNCONTROLLED,
                new Policy.ExitRule(true, List.of(), new Location("/srv/p.json", 4, 1)),
                new Policy.ExitRule(true, List.of("com.example.Main", "org.apache.maven.surefire.*"), new Location("/srv/p.json", 9, 1)))) {
            assertEquals(rule, Marker.decode(new Marker(proof, MovedOptions.NONE, report, rule).encode()).exit());
        }
    }

    @Test
    void anotherVersionOrAMalformedValueIsNoMarker() {
        String good = new Marker(new ConfinementProof(1, 2, 0, 7), MovedOptions.NONE,
                new StartReport("re-exec", "p.json", SUMMARY, List.of(), "0")).encode();
        assertNull(Marker.decode(good.replace("v=2", "v=1")));
        assertNull(Marker.decode("p=1&c=zz"));
        assertNull(Marker.decode(good.replace("p=1", "p=one")));
        assertNull(Marker.decode(good.replaceAll("&s=[^&]*", "&s=1.2")));
        assertNull(Marker.decode(""));
    }
}
