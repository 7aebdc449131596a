package com.example.notes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads notes; prints one given on the command line. */
public final class Notes {
    private Notes() {
    }

    public static String read(Path note) throws IOException {
        return Files.readString(note).strip();
    }

    /** The note, or empty where it cannot be read: a caller that swallows a denial. */
    public static Optional<String> readIfPossible(Path note) {
        try {
            return Optional.of(read(note));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static void main(String[] args) throws IOException {
        System.out.println(read(Path.of(args[0])));
    }
}
