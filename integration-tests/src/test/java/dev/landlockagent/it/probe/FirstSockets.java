package dev.landlockagent.it.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JVM's very first sockets, from many threads at once: args are the thread count, the rounds,
 * an allowed port (a listener outside) and a denied port. Each round opens and closes a channel,
 * connects to the allowed port, and tries the denied one, whose exception must carry the agent's
 * explanation even while the socket classes are still being instrumented. Prints
 * {@code RESULT first-sockets OK ...} or {@code RESULT first-sockets DENIED <first problem>}.
 */
public final class FirstSockets {
    private FirstSockets() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        InetSocketAddress allowed = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[2]));
        InetSocketAddress denied = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[3]));
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger explained = new AtomicInteger();
        StringBuffer problems = new StringBuffer();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        try (SocketChannel c = SocketChannel.open()) {
                            c.isOpen();
                        }
                        try (Socket s = new Socket()) {
                            s.connect(allowed, 10_000);
                        }
                        ok.incrementAndGet();
                        try (Socket s = new Socket()) {
                            s.connect(denied, 10_000);
                            problems.append("connected to the denied port; ");
                        } catch (IOException e) {
                            if (String.valueOf(e.getMessage()).contains("is not allowed by the landlock-agent policy")) {
                                explained.incrementAndGet();
                            } else if (problems.length() < 2000) {
                                problems.append("unexplained denial: ").append(e).append("; ");
                            }
                        }
                    }
                } catch (Throwable e) {
                    problems.append(Thread.currentThread().getName()).append(": ").append(e).append("; ");
                } finally {
                    done.countDown();
                }
            }, "first-sockets-" + t);
            th.start();
        }
        start.countDown();
        done.await();
        String outcome = problems.length() == 0 ? "OK " : "DENIED " + problems + " ";
        System.out.println("RESULT first-sockets " + outcome + ok + " rounds, " + explained + " denials explained");
    }
}
