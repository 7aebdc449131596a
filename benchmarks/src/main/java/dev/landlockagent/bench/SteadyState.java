package dev.landlockagent.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The operations the agent's instrumentation and the kernel's checks sit on, in a JVM that has
 * been running for a while. {@link SteadyStateRunner} runs them with and without the agent.
 * The file to read is -Dbench.file (the runner makes it and allows it in the policy).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SteadyState {
    private ServerSocket server;
    private Thread acceptor;
    private InetSocketAddress serverAddress;
    private String file;
    private final byte[] buffer = new byte[8192];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        file = System.getProperty("bench.file");
        server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        serverAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        acceptor = Thread.ofPlatform().daemon().name("acceptor").start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getInputStream(); // accepted and closed at once; the client resets the connection
                } catch (IOException e) {
                    // closed at tear-down
                }
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        server.close();
        acceptor.join(1000);
    }

    /** socket(2) and close(2): the seccomp filter and the woven socket-creation method. */
    @Benchmark
    public boolean socketOpenClose() throws IOException {
        try (SocketChannel c = SocketChannel.open()) {
            return c.isOpen();
        }
    }

    /** socket, connect(2) on loopback (Landlock's connect_tcp check), close with RST. */
    @Benchmark
    public boolean loopbackConnect() throws IOException {
        try (Socket s = new Socket()) {
            s.setSoLinger(true, 0);
            s.connect(serverAddress);
            return s.isConnected();
        }
    }

    /** open(2) (Landlock's path walk), read(2), close(2). */
    @Benchmark
    public int fileOpenReadClose() throws IOException {
        try (FileInputStream in = new FileInputStream(file)) {
            return in.read(buffer);
        }
    }
}
