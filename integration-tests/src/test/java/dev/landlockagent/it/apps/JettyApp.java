package dev.landlockagent.it.apps;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real Jetty 12 server, as an application embeds it: {@code GET /file?path=P} serves the file P
 * (403 with the exception's message when it cannot), anything else says hello. Prints
 * {@code READY port} once it listens on the port given as the argument.
 */
public final class JettyApp {
    private JettyApp() {
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server(Integer.parseInt(args[0]));
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String query = request.getHttpURI().getQuery();
                String body;
                if (request.getHttpURI().getPath().equals("/file") && query != null && query.startsWith("path=")) {
                    try {
                        body = Files.readString(Path.of(java.net.URLDecoder.decode(query.substring(5), StandardCharsets.UTF_8)));
                    } catch (java.io.IOException e) {
                        response.setStatus(403);
                        body = e.getClass().getName() + ": " + e.getMessage();
                    }
                } else {
                    body = "hello from jetty";
                }
                response.write(true, java.nio.ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
        System.out.println("READY " + server.getURI().getPort());
        System.out.flush();
        server.join();
    }
}
