package com.example.notes;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs in Failsafe's JVM, which src/test/it-policy.json confines as a whole (pom.xml: argLine). */
class NotesIT {
    @Test
    void readsTodaysNote() throws IOException {
        assertEquals("buy milk", Notes.read(Path.of("src/test/notes/today.txt")));
    }

    /** Passes, but swallows a denial: -Dlandlock.failOnDenial=true makes it fail, naming the rule to add. */
    @Test
    void anUnreadableNoteIsEmpty() {
        assertEquals(Optional.empty(), Notes.readIfPossible(Path.of("pom.xml")));
    }
}
