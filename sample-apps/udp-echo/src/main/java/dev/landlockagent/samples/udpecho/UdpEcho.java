package dev.landlockagent.samples.udpecho;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * A UDP echo server and client on DatagramChannel.
 *
 * <pre>
 * java -jar udp-echo.jar server PORT
 * java -jar udp-echo.jar client PORT MESSAGE
 * </pre>
 */
public final class UdpEcho {
    private UdpEcho() {
    }

    public static void main(String[] args) throws IOException {
        String mode = args.length > 0 ? args[0] : "server";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 9999;
        if (mode.equals("server")) {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.bind(new InetSocketAddress("127.0.0.1", port));
                System.out.println("echoing UDP on 127.0.0.1:" + ch.socket().getLocalPort());
                ByteBuffer buf = ByteBuffer.allocate(65536);
                while (true) {
                    buf.clear();
                    SocketAddress from = ch.receive(buf);
                    buf.flip();
                    ch.send(buf, from);
                }
            }
        }
        String message = args.length > 2 ? args[2] : "hello";
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(new InetSocketAddress("127.0.0.1", port));
            ch.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
            ByteBuffer buf = ByteBuffer.allocate(65536);
            ch.read(buf);
            buf.flip();
            System.out.println("echo: " + StandardCharsets.UTF_8.decode(buf));
        }
    }
}
