package dev.landlockagent.it.probe;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Does what a denying policy forbids, through each public API, and reports the exception the
 * application sees: {@code RESULT <label> <exception class>|<message>|<cause class>}.
 * Commands: {@code api NAME PORT} (see {@link SocketProbe#API_NAMES}), {@code bind PORT},
 * {@code http-client PORT}, {@code http-url PORT}, {@code files DIR}, {@code temp-dir PREFIX}, {@code read-many DIR N}, {@code io-file DIR}, {@code nics}, {@code load-library FILE}, {@code sha1prng}, {@code await-explanations}
 * (loads sun.nio.ch.Net, which holds this thread until the agent has woven it, and by then the
 * file streams it retransforms first: so the file denials that follow are explained whatever the
 * timing).
 */
public final class DenialProbe {
    private DenialProbe() {
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "api" -> {
                    String name = args[++i];
                    int port = Integer.parseInt(args[++i]);
                    System.out.println("RESULT api " + name + " " + SocketProbe.api(name, port).replace("DENIED ", "").replaceFirst(": ", "|"));
                }
                case "bind" -> {
                    int port = Integer.parseInt(args[++i]);
                    report("bind", () -> {
                        try (ServerSocket s = new ServerSocket()) {
                            s.bind(new InetSocketAddress("127.0.0.1", port));
                        }
                    });
                }
                case "unix-bind" -> {
                    java.nio.file.Path socket = java.nio.file.Path.of(args[++i]);
                    report("unix-bind", () -> {
                        try (java.nio.channels.ServerSocketChannel s = java.nio.channels.ServerSocketChannel.open(
                                java.net.StandardProtocolFamily.UNIX)) {
                            s.bind(java.net.UnixDomainSocketAddress.of(socket));
                        } finally {
                            Files.deleteIfExists(socket);
                        }
                    });
                }
                case "http-client" -> {
                    int port = Integer.parseInt(args[++i]);
                    report("http-client", () -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                            .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                                    HttpResponse.BodyHandlers.discarding()));
                }
                case "http-url" -> {
                    int port = Integer.parseInt(args[++i]);
                    report("http-url", () -> {
                        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
                        c.setConnectTimeout(5000);
                        c.getResponseCode();
                    });
                }
                case "await-explanations" -> Class.forName("sun.nio.ch.Net");
                case "read-many" -> {
                    Path dir = Path.of(args[++i]);
                    int n = Integer.parseInt(args[++i]);
                    int denied = 0;
                    for (int k = 0; k < n; k++) {
                        try (FileInputStream in = new FileInputStream(dir.resolve("f" + k + ".txt").toFile())) {
                            in.read();
                        } catch (java.io.IOException e) {
                            denied++;
                        }
                    }
                    System.out.println("RESULT read-many denied " + denied);
                }
                case "io-file" -> {
                    java.io.File dir = new java.io.File(args[++i]);
                    java.io.File existing = new java.io.File(dir, "existing.txt");
                    System.out.println("RESULT io-mkdir " + new java.io.File(dir, "sub").mkdir());
                    System.out.println("RESULT io-mkdirs " + new java.io.File(dir, "a/b").mkdirs());
                    System.out.println("RESULT io-delete " + existing.delete());
                    System.out.println("RESULT io-rename " + existing.renameTo(new java.io.File(dir, "moved.txt")));
                    System.out.println("RESULT io-list " + java.util.Arrays.toString(dir.list()));
                    System.out.println("RESULT io-delete-missing " + new java.io.File(dir, "missing.txt").delete());
                    report("io-create", () -> new java.io.File(dir, "new.txt").createNewFile());
                }
                case "nics" -> report("nics", () -> java.net.NetworkInterface.getNetworkInterfaces());
                case "load-library" -> {
                    String lib = args[++i];
                    report("load-library", () -> System.load(lib));
                }
                case "sha1prng" -> report("sha1prng", () -> java.security.SecureRandom.getInstance("SHA1PRNG").nextInt());
                case "temp-dir" -> {
                    String prefix = args[++i];
                    report("temp-dir", () -> Files.createTempDirectory(prefix));
                }
                case "files" -> {
                    Path dir = Path.of(args[++i]);
                    Path file = dir.resolve("existing.txt");
                    report("files-readString", () -> Files.readString(file));
                    report("files-writeString", () -> Files.writeString(dir.resolve("new.txt"), "x"));
                    report("files-newInputStream", () -> Files.newInputStream(file).close());
                    report("files-createDirectory", () -> Files.createDirectory(dir.resolve("sub")));
                    report("files-delete", () -> Files.delete(file));
                    report("file-input-stream", () -> new FileInputStream(file.toFile()).close());
                    report("file-output-stream", () -> new FileOutputStream(dir.resolve("out.txt").toFile()).close());
                    report("random-access-r", () -> new RandomAccessFile(file.toFile(), "r").close());
                    report("random-access-rw", () -> new RandomAccessFile(file.toFile(), "rw").close());
                }
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        System.out.flush();
    }

    interface Action {
        void run() throws Exception;
    }

    private static void report(String label, Action a) {
        try {
            a.run();
            System.out.println("RESULT " + label + " OK");
        } catch (Exception | LinkageError e) {
            Throwable cause = e.getCause();
            System.out.println("RESULT " + label + " " + e.getClass().getName() + "|" + String.valueOf(e.getMessage()).replace('\n', ' ')
                    + "|" + (cause == null ? "" : cause.getClass().getName() + ": " + cause.getMessage()));
        }
    }
}
