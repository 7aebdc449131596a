package dev.landlockagent.bench.programs;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens, reads and closes one small file N times after 2,000 warm-up calls, and prints the time
 * per call in nanoseconds: each open is a syscall a learn run records.
 */
public final class FileOpens {
    private FileOpens() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        for (int i = 0; i < 2000; i++) {
            Files.readAllBytes(file);
        }
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Files.readAllBytes(file);
        }
        System.out.println((System.nanoTime() - start) / n);
    }
}
