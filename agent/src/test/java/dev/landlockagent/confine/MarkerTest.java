package dev.landlockagent.confine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The re-exec marker survives the command line intact, and anything else is not a marker. */
class MarkerTest {
    @Test
    void aMarkerRoundTripsWithEveryFieldAndCharactersTheCommandLineWouldMangle() {
        Marker m = new Marker(new ConfinementProof(4242, 0xfedc_ba98_7654_3210L, 2, 7),
                new MovedOptions("-Dx='a b'&c=d", null),
                new StartReport("re-exec", "42 fs rules; not enforced: a, b",
                        List.of("policy.json:3:5: udp: not enforced", "second % warning"), "cbf29ce484222325"));
        assertEquals(m, Marker.decode(m.encode()));
    }

    @Test
    void anotherVersionOrAMalformedValueIsNoMarker() {
        String good = new Marker(new ConfinementProof(1, 2, 0, 7), MovedOptions.NONE,
                new StartReport("re-exec", "s", List.of(), "0")).encode();
        assertNull(Marker.decode(good.replace("v=1", "v=2")));
        assertNull(Marker.decode("pid=1&canary=zz"));
        assertNull(Marker.decode(good.replace("pid=1", "pid=one")));
        assertNull(Marker.decode(""));
    }
}
