package dev.landlockagent.landlock;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LandlockAbiTest {
    @Test
    void theAbiAMainlineReleaseHasIsGuessedFromUname() {
        assertEquals(7, LandlockAbi.expectedFor("6.18.44-fc-v782").version());
        assertEquals(6, LandlockAbi.expectedFor("6.12.107+deb13-amd64").version());
        assertEquals(2, LandlockAbi.expectedFor("6.1.0-50-amd64").version());
        assertEquals(10, LandlockAbi.expectedFor("7.2.13+deb14-amd64").version());
        assertEquals(8, LandlockAbi.expectedFor("7.0").version());
        assertEquals(1, LandlockAbi.expectedFor("5.13.0").version());
        assertEquals(4, LandlockAbi.expectedFor("6.7.0-rc1").version());
        assertEquals(LandlockAbi.NEWEST_KNOWN, LandlockAbi.expectedFor("9.3.1").version(), "newer than any known: the newest known");
    }

    @Test
    void beforeLandlockOrUnreadableIsNoGuess() {
        assertEquals(0, LandlockAbi.expectedFor("5.12.19").version());
        assertEquals(0, LandlockAbi.expectedFor("4.19.0-27-amd64").version());
        assertEquals(0, LandlockAbi.expectedFor(null).version());
        assertEquals(0, LandlockAbi.expectedFor("").version());
        assertEquals(0, LandlockAbi.expectedFor("linux").version());
        assertEquals(0, LandlockAbi.expectedFor("6").version());
        assertEquals(0, LandlockAbi.expectedFor("6.x").version());
        assertEquals(0, LandlockAbi.expectedFor("99999999999.1").version(), "too long a number is not a release");
    }
}
