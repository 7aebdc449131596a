package com.example.notes;

import dev.landlockagent.junit.Denial;
import dev.landlockagent.junit.Sandboxed;
import dev.landlockagent.junit.SandboxedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each test runs in a JVM of its own, confined by src/test/policy.json; this test JVM is not. */
@Sandboxed(policy = "src/test/policy.json")
class NotesTest {
    static final Path TODAY = Path.of("src/test/notes/today.txt");

    @Test
    void readsANoteThePolicyAllows() throws IOException {
        assertEquals("buy milk", Notes.read(TODAY));
    }

    @Test
    void cannotReadTheBuildFile() {
        IOException e = assertThrows(IOException.class, () -> Notes.read(Path.of("pom.xml")));
        assertTrue(e.getMessage().contains("is not allowed by the landlock-agent policy"), e.getMessage());
    }

    @Test
    void cannotEndTheJvmItRunsIn() {
        SecurityException e = assertThrows(SecurityException.class, () -> System.exit(3));
        assertTrue(e.getMessage().contains("\"exit\""), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"today.txt"})
    void eachInvocationIsConfinedToo(String name) throws IOException {
        assertEquals("buy milk", Notes.read(Path.of("src/test/notes", name)));
        assertThrows(IOException.class, () -> Notes.read(Path.of("pom.xml")));
    }

    /** Declaring a SandboxedJvm: this method runs here, and launches the confined program itself. */
    @Test
    void theLauncherReportsEachDenialAsATypedValue(SandboxedJvm jvm) {
        SandboxedJvm.Result r = jvm.run(Notes.class.getName(), "pom.xml");
        assertEquals(1, r.exitCode(), r.describe());
        List<Denial> denials = r.denials();
        assertEquals(1, denials.size(), r.describe());
        Denial d = denials.get(0);
        assertEquals("filesystem", d.kind());
        assertTrue(d.operation().startsWith("read"), d.operation());
        assertEquals("pom.xml", d.path()); // as the program named it
        assertTrue(d.byPolicy());
        assertTrue(d.rule().contains("\"read\""), d.rule());
    }
}
