package dev.landlockagent.samples.httpserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/**
 * Serves the files of one folder over HTTP with the JDK's HttpServer.
 *
 * <pre>java -jar http-server.jar [FOLDER] [PORT]</pre>
 *
 * It has a path-traversal bug on purpose: {@code GET /..%2F..%2Fetc%2Fhostname} escapes the folder.
 * Confined by its policy (read the folder, bind the port, nothing else), the bug reaches nothing:
 * the request gets 403 and the reason.
 */
public final class HttpFileServer {
    private HttpFileServer() {
    }

    public static HttpServer start(Path root, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
        server.createContext("/", exchange -> serve(root, exchange));
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return server;
    }

    private static void serve(Path root, HttpExchange exchange) throws IOException {
        // Decoding after the server split the path is the bug: %2F becomes a separator here.
        String requested = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
        Path file = Path.of(root + "/" + (requested.equals("/") ? "index.html" : requested));
        int status;
        byte[] body;
        try {
            body = Files.readAllBytes(file);
            status = 200;
        } catch (java.nio.file.NoSuchFileException e) {
            body = ("not found: " + requested + "\n").getBytes(StandardCharsets.UTF_8);
            status = 404;
        } catch (java.nio.file.AccessDeniedException e) {
            body = ("forbidden: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
            status = 403;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * {@code -Dhttp-server.training=N}: a training run for the JDK's AOT cache (docs/performance.md,
     * "AOT cache and CDS archives"): the server fetches its own index page N times, then exits, so
     * that the cache holds what serving a request loads.
     */
    public static final String TRAINING = "http-server.training";

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "www").toAbsolutePath();
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
        start(root, port);
        System.out.println("serving " + root + " on http://localhost:" + port + "/");
        int training = Integer.getInteger(TRAINING, 0);
        if (training > 0) {
            for (int i = 0; i < training; i++) {
                try (java.io.InputStream in = java.net.URI.create("http://localhost:" + port + "/").toURL().openStream()) {
                    in.readAllBytes();
                }
            }
            System.out.println("trained with " + training + " requests");
            System.exit(0);
        }
    }
}
