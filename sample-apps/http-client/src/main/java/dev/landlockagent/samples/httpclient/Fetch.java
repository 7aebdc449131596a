package dev.landlockagent.samples.httpclient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fetches each URL with java.net.http.HttpClient and prints the status, or the exception.
 *
 * <pre>java -jar http-client.jar URL...</pre>
 */
public final class Fetch {
    private Fetch() {
    }

    public static void main(String[] args) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (String url : args) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                System.out.println(url + " -> " + r.statusCode() + " (" + r.body().length() + " bytes)");
            } catch (IOException e) {
                StringBuilder chain = new StringBuilder(e.toString());
                for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                    chain.append(" <- ").append(c);
                }
                System.out.println(url + " -> " + chain);
            }
        }
    }
}
