package dev.landlockagent.launch;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Loads the agent's core, stored in the agent jar under {@value #PREFIX}. The prefix keeps the
 * core, and the libraries relocated into it, out of sight of the application's class loader and
 * of the boot class path when the jar's root (the few helper classes that instrumented JDK code
 * calls) is appended to it (the OpenTelemetry agent's layout). Its parent is the platform class
 * loader, so no application class can stand in for one of the agent's.
 *
 * <p>It is also how the core's entry object reaches the trampoline without reflection (a first
 * {@code Constructor.newInstance} spins method handles, ~30 ms on a cold JVM, measured): the entry
 * class's static initialiser hands an instance to its own class loader, a {@link Consumer}. The
 * one class of the jar's root the core sees is {@link Handoff}, the trampoline's own, so that the
 * hand-over has a named type on both sides.
 */
final class CoreClassLoader extends ClassLoader implements Consumer<Object> {
    static final String PREFIX = "META-INF/landlock/core/";

    static {
        registerAsParallelCapable();
    }

    private final ZipFile zip;
    private final String jarUrl;
    private final ProtectionDomain domain;
    private volatile Object handedOver;

    @SuppressWarnings("deprecation") // new URL(String): this class compiles for Java 11
    CoreClassLoader(Path jar) throws IOException {
        super("landlock-agent", ClassLoader.getPlatformClassLoader());
        this.zip = new ZipFile(jar.toFile()); // open for the life of the JVM, like the class path's own jars
        URL location = jar.toUri().toURL();
        this.jarUrl = location.toString();
        // The core's classes come from inside the jar, and their code source says so: a plain
        // file: location would make -XX:DumpLoadedClassList name the jar as their source, where
        // -Xshare:dump then looks for them at the jar's root and stops ("class list format
        // error"); HotSpot leaves a class of another location out of the list.
        URL core = new URL("jar:" + jarUrl + "!/" + PREFIX);
        this.domain = new ProtectionDomain(new CodeSource(core, (Certificate[]) null), null, this, null);
    }

    /** Called by the core's entry class when it initialises. */
    @Override
    public void accept(Object entry) {
        if (handedOver == null) {
            handedOver = entry;
        }
    }

    /** Initialises {@code className} and returns what it handed over, or null. */
    Object initialise(String className) throws ClassNotFoundException {
        Class.forName(className, true, this);
        return handedOver;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.equals(Handoff.class.getName())) {
            return Handoff.class;
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String entryName = PREFIX + name.replace('.', '/') + ".class";
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            // One array of the entry's size: readAllBytes would grow its buffers through copies,
            // garbage that a short-lived or idle JVM keeps resident (docs/performance.md, "Memory").
            long size = entry.getSize();
            bytes = size >= 0 ? readExactly(in, (int) size) : in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String pkg = name.substring(0, dot);
            if (getDefinedPackage(pkg) == null) {
                try {
                    definePackage(pkg, null, null, null, null, null, null, null);
                } catch (IllegalArgumentException alreadyDefinedInParallel) {
                    // fine
                }
            }
        }
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    private static byte[] readExactly(InputStream in, int size) throws IOException {
        byte[] bytes = new byte[size];
        int n = in.readNBytes(bytes, 0, size);
        if (n != size) {
            throw new IOException("entry ended after " + n + " of " + size + " bytes");
        }
        return bytes;
    }

    /**
     * Resources are served from the zip this loader already holds open. A plain {@code jar:} URL
     * would make the JDK open and verify the jar a second time (~15 ms on a cold JVM when SLF4J
     * looks up its provider).
     */
    @Override
    @SuppressWarnings("deprecation") // URL.of(URI, handler) is Java 20; this class compiles for Java 11
    protected URL findResource(String name) {
        ZipEntry entry = zip.getEntry(PREFIX + name);
        if (entry == null) {
            return null;
        }
        try {
            return new URL(null, "jar:" + jarUrl + "!/" + PREFIX + name, new EntryHandler(entry));
        } catch (MalformedURLException e) {
            return null;
        }
    }

    private final class EntryHandler extends URLStreamHandler {
        private final ZipEntry entry;

        EntryHandler(ZipEntry entry) {
            this.entry = entry;
        }

        @Override
        protected URLConnection openConnection(URL url) {
            return new URLConnection(url) {
                @Override
                public void connect() {
                    connected = true;
                }

                @Override
                public InputStream getInputStream() throws IOException {
                    return zip.getInputStream(entry);
                }
            };
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }
}
