package dev.landlockagent.it.apps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A plugin for the plugin-host sample that does only its job: it reads {@code plugin-data/greeting.txt}
 * and writes its upper-case copy into {@code plugin-out/}, both in the host's working directory.
 */
public final class TrustedPlugin implements Runnable {
    @Override
    public void run() {
        try {
            String greeting = Files.readString(Path.of("plugin-data", "greeting.txt"));
            Path out = Files.createDirectories(Path.of("plugin-out")).resolve("greeting.txt");
            Files.writeString(out, greeting.toUpperCase(java.util.Locale.ROOT));
            System.out.println("[trusted] read " + greeting.length() + " characters, wrote " + out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
