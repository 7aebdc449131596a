package dev.landlockagent.samples.unixecho;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An echo server and client on a UNIX domain socket file.
 *
 * <pre>
 * java -jar unix-echo.jar server SOCKET-FILE
 * java -jar unix-echo.jar client SOCKET-FILE MESSAGE
 * </pre>
 */
public final class UnixEcho {
    private UnixEcho() {
    }

    public static void main(String[] args) throws IOException {
        String mode = args.length > 0 ? args[0] : "server";
        Path socket = Path.of(args.length > 1 ? args[1] : "run/echo.sock");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        if (mode.equals("server")) {
            Files.deleteIfExists(socket);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(address);
                System.out.println("echoing on " + socket);
                while (true) {
                    try (SocketChannel c = server.accept()) {
                        ByteBuffer buf = ByteBuffer.allocate(65536);
                        while (c.read(buf) > 0) {
                            buf.flip();
                            c.write(buf);
                            buf.clear();
                        }
                    }
                }
            }
        }
        String message = args.length > 2 ? args[2] : "hello";
        try (SocketChannel c = SocketChannel.open(address)) {
            c.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
            c.shutdownOutput();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (c.read(buf) > 0) {
                // read to the end
            }
            buf.flip();
            System.out.println("echo: " + StandardCharsets.UTF_8.decode(buf));
        }
    }
}
