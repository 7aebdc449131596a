package dev.landlockagent.bench.programs;

import java.io.IOException;
import java.net.ServerSocket;

/** The first-socket scenario: one {@code new ServerSocket(0)}, then exit. */
public final class FirstSocket {
    private FirstSocket() {
    }

    public static void main(String[] args) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            System.out.println("bound " + s.getLocalPort());
        }
    }
}
