package dev.landlockagent.learn;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearnArgumentTest {
    private static final Path CWD = Path.of("/srv/app");

    @Test
    void aPlainPolicyLocationIsNoLearnRun() {
        assertNull(LearnArgument.parse("policy.json", CWD));
        assertNull(LearnArgument.parse(null, CWD));
    }

    @Test
    void learnNamesThePolicyFileAgainstTheWorkingDirectoryAndItsReportBesideIt() {
        LearnArgument a = LearnArgument.parse("learn:conf/policy.json", CWD);
        assertEquals(LearnArgument.Mode.LEARN, a.mode());
        assertEquals(Path.of("/srv/app/conf/policy.json"), a.policy());
        assertEquals(Path.of("/srv/app/conf/policy.report.md"), a.report());
        assertEquals(Duration.ofSeconds(60), a.interval());
    }

    @Test
    void theIntervalTakesUnitsAndZeroWritesOnlyAtTheEnd() {
        assertEquals(Duration.ofSeconds(30), LearnArgument.parse("learn:p.json,interval=30s", CWD).interval());
        assertEquals(Duration.ofMinutes(5), LearnArgument.parse("learn:p.json,interval=5m", CWD).interval());
        assertEquals(Duration.ZERO, LearnArgument.parse("learn:p.json,interval=0", CWD).interval());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LearnArgument.parse("learn:p.json,interval=soon", CWD));
        assertTrue(e.getMessage().contains("interval=30s"), e.getMessage());
    }

    @Test
    void aLearnRunNeedsAFileOnDisk() {
        assertThrows(IllegalArgumentException.class, () -> LearnArgument.parse("learn:", CWD));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LearnArgument.parse("learn:classpath:policy.json", CWD));
        assertTrue(e.getMessage().contains("policy file on disk"), e.getMessage());
    }
}
