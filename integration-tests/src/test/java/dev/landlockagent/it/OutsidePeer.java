package dev.landlockagent.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * An unconfined process for the inbound attempts of the escape suite (probe.Inbound): it keeps
 * connecting to the abstract names {@code <prefix>-stream}, {@code -dgram} and {@code -child}
 * and to every {@code in-*.sock} file under a folder, and passes each a descriptor of the secret
 * (SCM_RIGHTS); and it listens on a pathname socket that passes the secret to whoever connects
 * and takes whatever descriptor comes back. python3, so that nothing of the agent is near it.
 */
final class OutsidePeer implements AutoCloseable {
    private static final String SCRIPT = String.join("\n",
            "import array, os, socket, sys, threading, time",
            "secret, root, prefix, listener = sys.argv[1:5]",
            "def give(s):",
            "    f = os.open(secret, os.O_RDONLY)  # its own offset for each receiver",
            "    try:",
            "        s.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [f]))])",
            "    finally:",
            "        os.close(f)",
            "def serve():",
            "    if os.path.exists(listener): os.unlink(listener)",
            "    l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); l.bind(listener); os.chmod(listener, 0o777); l.listen(16)",
            "    while True:",
            "        c, _ = l.accept()",
            "        try:",
            "            c.settimeout(10); give(c); c.recvmsg(1, 64)",
            "        except OSError:",
            "            pass",
            "        c.close()",
            "threading.Thread(target=serve, daemon=True).start()",
            "print('ready', flush=True)",
            "while True:",
            "    targets = [('\\0' + prefix + '-stream', socket.SOCK_STREAM), ('\\0' + prefix + '-child', socket.SOCK_STREAM),",
            "               ('\\0' + prefix + '-dgram', socket.SOCK_DGRAM)]",
            "    for d, _, files in os.walk(root):",
            "        targets += [(os.path.join(d, n), socket.SOCK_DGRAM if 'dgram' in n else socket.SOCK_STREAM)",
            "                    for n in files if n.startswith('in-') and n.endswith('.sock')]",
            "    for address, kind in targets:",
            "        s = socket.socket(socket.AF_UNIX, kind)",
            "        try:",
            "            s.settimeout(0.5); s.connect(address); give(s)",
            "        except OSError:",
            "            pass",
            "        s.close()",
            "    time.sleep(0.02)");

    private final Process process;
    final String prefix;
    final Path listener;

    private OutsidePeer(Process process, String prefix, Path listener) {
        this.process = process;
        this.prefix = prefix;
        this.listener = listener;
    }

    /**
     * @param secret   the file whose descriptor it passes
     * @param root     the folder it searches for {@code in-*.sock} files
     * @param listener where it listens for the JVM to connect out
     */
    static OutsidePeer start(Path secret, Path root, Path listener) throws IOException {
        String prefix = "landlock-inbound-" + ProcessHandle.current().pid();
        Process p = new ProcessBuilder(List.of("python3", "-c", SCRIPT, secret.toString(), root.toString(), prefix,
                listener.toString())).redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"ready".equals(line)) {
            p.destroy();
            throw new IOException("the outside peer (python3) did not start: " + line);
        }
        return new OutsidePeer(p, prefix, listener);
    }

    /** The JVM options probe.Inbound reads, with its pathname sockets in {@code dir}. */
    List<String> jvmOptions(Path dir) {
        return List.of("-Dinbound.name=" + prefix, "-Dinbound.dir=" + dir, "-Dunix.fd.outside=" + listener);
    }

    @Override
    public void close() {
        process.destroy();
    }
}
