package dev.landlockagent.samples.fileworker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A batch job with no network at all: counts the words of every .txt file in an input folder and
 * writes one .count file per input into an output folder.
 *
 * <pre>java -jar file-worker.jar INPUT OUTPUT [EXTRA-FILE-TO-READ]</pre>
 *
 * The optional third argument is a file the job has no business reading (to show a denial).
 */
public final class WordCount {
    private WordCount() {
    }

    public static void main(String[] args) throws IOException {
        Path in = Path.of(args.length > 0 ? args[0] : "input");
        Path out = Path.of(args.length > 1 ? args[1] : "output");
        Files.createDirectories(out);
        List<Path> inputs;
        try (Stream<Path> s = Files.list(in)) {
            inputs = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        for (Path p : inputs) {
            long words = Files.readAllLines(p).stream().flatMap(l -> Stream.of(l.trim().split("\\s+")))
                    .filter(w -> !w.isEmpty()).count();
            Path result = out.resolve(p.getFileName().toString().replace(".txt", ".count"));
            Files.writeString(result, words + "\n");
            System.out.println(p.getFileName() + ": " + words + " words -> " + result);
        }
        if (args.length > 2) {
            try {
                Files.readString(Path.of(args[2]));
                System.out.println("read " + args[2]);
            } catch (IOException e) {
                System.out.println("cannot read " + args[2] + ": " + e);
            }
        }
    }
}
