package com.example.notes;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetaAnnotatedTest {
    @Test
    @NotesPolicy
    void aMetaAnnotationCarriesThePolicy() throws IOException {
        assertEquals("buy milk", Notes.read(Path.of("src/test/notes/today.txt")));
    }
}
