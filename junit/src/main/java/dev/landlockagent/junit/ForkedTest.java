package dev.landlockagent.junit;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The main class of a JVM that {@link SandboxedExtension} forks: runs the one test named by its
 * JUnit unique ID (with its class's lifecycle methods), then writes its {@link Outcome} as one line,
 * {@value #PREFIX} and the serialised outcome in Base64, straight to file descriptor 1.
 */
public final class ForkedTest {
    static final String PREFIX = "[landlock-agent-junit] OUTCOME ";

    private ForkedTest() {
    }

    /** What the test did; the exception itself when it can be serialised, else its text. */
    record Outcome(String status, Throwable error, String errorText) implements Serializable {
        static Outcome of(TestExecutionResult r) {
            Throwable t = r.getThrowable().orElse(null);
            return new Outcome(r.getStatus().name(), t, t == null ? null : stackTrace(t));
        }

        String encode() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(this);
            } catch (NotSerializableException e) {
                return new Outcome(status, null, errorText).encode();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Base64.getEncoder().encodeToString(bytes.toByteArray());
        }

        static Outcome decode(String base64) {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)),
                    Thread.currentThread().getContextClassLoader())) {
                return (Outcome) in.readObject();
            } catch (IOException | ClassNotFoundException e) {
                throw new IllegalStateException("cannot read the sandboxed test's outcome: " + e, e);
            }
        }
    }

    /** An ObjectInputStream that resolves classes through {@code loader} (the test class loader). */
    private static final class ObjectInputStream extends java.io.ObjectInputStream {
        private final ClassLoader loader;

        ObjectInputStream(java.io.InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }

    static String stackTrace(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ForkedTest <JUnit unique id of the test>");
        }
        String target = args[0];
        Outcome[] outcome = {null};
        Outcome[] containerFailure = {null};
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.getUniqueId().equals(target)) {
                    outcome[0] = Outcome.of(result);
                } else if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL && containerFailure[0] == null) {
                    containerFailure[0] = Outcome.of(result); // a @BeforeAll or the class itself, before the test ran
                }
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (outcome[0] == null && (id.getUniqueId().equals(target) || target.startsWith(id.getUniqueId()))) {
                    outcome[0] = new Outcome("ABORTED", new org.opentest4j.TestAbortedException(reason), reason);
                }
            }
        };
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectUniqueId(target))
                .build();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, listener);
        Outcome o = outcome[0] != null ? outcome[0] : containerFailure[0] != null ? containerFailure[0]
                : new Outcome("FAILED", null, "the sandboxed JVM found no test " + target);
        FileOutputStream fd1 = new FileOutputStream(FileDescriptor.out);
        System.out.flush();
        fd1.write(("\n" + PREFIX + o.encode() + "\n").getBytes(StandardCharsets.UTF_8));
        fd1.flush();
        System.exit(0);
    }
}
