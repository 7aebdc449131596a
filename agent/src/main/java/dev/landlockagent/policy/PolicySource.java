package dev.landlockagent.policy;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Finds the policy, highest precedence first: the agent argument; the system property
 * {@value #PROPERTY}; the {@value #MANIFEST_ATTRIBUTE} attribute of the application jar's manifest
 * (which also serves an executable jar that bundles the agent with Launcher-Agent-Class).
 *
 * <p>A location is a file path (relative to the working directory), {@code classpath:name} (a
 * resource of the system class loader), or a {@code jar:file:...!/name} URL.
 */
public final class PolicySource {
    public static final String PROPERTY = "landlock.policy";
    public static final String MANIFEST_ATTRIBUTE = "Landlock-Policy";
    private static final int MAX_BYTES = JsonReader.MAX_BYTES;

    private PolicySource() {
    }

    /** Where the policy was found and how. */
    public enum Via {
        AGENT_ARGUMENT("the agent argument"),
        SYSTEM_PROPERTY("the system property " + PROPERTY),
        MANIFEST("the " + MANIFEST_ATTRIBUTE + " manifest attribute");

        private final String description;

        Via(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * A policy document: {@code origin} names it in messages (a path, or {@code app.jar!/policy.json});
     * {@code file} is the file itself when it is one; {@code folder} is where relative paths resolve.
     */
    public record Document(String origin, Via via, byte[] bytes, Path file, Path folder) {
        /**
         * The bytes' 64-bit FNV-1a hash, in hex: it tells the re-executed JVM whether the policy it
         * reads again to explain a denial is the one the first JVM enforced (a change check, not a
         * defence: explanations are advice, and the kernel enforces what was planned).
         */
        public String digest() {
            long h = 0xcbf29ce484222325L;
            for (byte b : bytes) {
                h = (h ^ (b & 0xff)) * 0x100000001b3L;
            }
            return Long.toHexString(h);
        }
    }

    /** Thrown when no policy can be found or read; the message says what to do. */
    public static final class NotFound extends Exception {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super(message);
        }
    }

    /**
     * @param agentArgument the -javaagent option's argument (null or empty when none)
     * @param mainJar       the application's jar when started with -jar, else null
     */
    public static Document locate(String agentArgument, String property, Path mainJar) throws NotFound {
        if (agentArgument != null && !agentArgument.isBlank()) {
            return load(agentArgument.strip(), Via.AGENT_ARGUMENT);
        }
        if (property != null && !property.isBlank()) {
            return load(property.strip(), Via.SYSTEM_PROPERTY);
        }
        if (mainJar != null) {
            Document d = fromManifest(mainJar);
            if (d != null) {
                return d;
            }
        }
        throw new NotFound("no policy was given, so the JVM will not start unconfined. Give one as the agent argument"
                + " (-javaagent:landlock-agent.jar=policy.json), as -D" + PROPERTY + "=policy.json, or as a "
                + MANIFEST_ATTRIBUTE + " attribute naming a resource in the application jar's manifest");
    }

    private static Document load(String location, Via via) throws NotFound {
        if (via != Via.AGENT_ARGUMENT && (location.startsWith("learn:") || location.startsWith("suggest:"))) {
            throw new NotFound("policy " + location + " (from " + via.description() + "): learn and suggest runs are"
                    + " started only by the agent argument, -javaagent:landlock-agent.jar=" + location
                    + ", so that neither the application nor its jar can turn confinement off");
        }
        if (location.startsWith("classpath:")) {
            String name = location.substring("classpath:".length());
            while (name.startsWith("/")) {
                name = name.substring(1);
            }
            URL url = ClassLoader.getSystemClassLoader().getResource(name);
            if (url == null) {
                throw new NotFound("policy " + location + " (from " + via.description() + ") is not on the class path:"
                        + " check the resource name and the class path");
            }
            return fromUrl(url, location, via);
        }
        if (location.startsWith("jar:") || location.startsWith("file:")) {
            try {
                return fromUrl(new URI(location).toURL(), location, via);
            } catch (URISyntaxException | IOException | IllegalArgumentException e) {
                throw new NotFound("policy " + location + " (from " + via.description() + ") is not a valid URL: " + e.getMessage());
            }
        }
        return fromFile(Path.of(location), via);
    }

    private static Document fromFile(Path path, Via via) throws NotFound {
        Path absolute = path.toAbsolutePath().normalize();
        try {
            if (Files.isDirectory(absolute)) {
                throw new NotFound("policy " + absolute + " (from " + via.description() + ") is a folder: name the policy file in it");
            }
            if (Files.size(absolute) > MAX_BYTES) {
                throw new NotFound("policy " + absolute + " is larger than " + MAX_BYTES + " bytes");
            }
            byte[] bytes = Files.readAllBytes(absolute);
            return new Document(absolute.toString(), via, bytes, absolute, absolute.getParent());
        } catch (NoSuchFileException e) {
            throw new NotFound("policy " + absolute + " (from " + via.description() + ") does not exist: check the path"
                    + (path.isAbsolute() ? "" : " (relative paths are resolved against the working directory, "
                    + Path.of("").toAbsolutePath() + ")"));
        } catch (IOException e) {
            throw new NotFound("policy " + absolute + " (from " + via.description() + ") cannot be read: " + e);
        }
    }

    private static Document fromUrl(URL url, String location, Via via) throws NotFound {
        try {
            if (url.getProtocol().equals("file")) {
                return fromFile(Path.of(url.toURI()), via);
            }
            if (url.getProtocol().equals("jar")) {
                JarURLConnection c = (JarURLConnection) url.openConnection();
                c.setUseCaches(false);
                Path jar = Path.of(c.getJarFileURL().toURI()).toAbsolutePath().normalize();
                String entry = c.getEntryName();
                try (JarFile jf = new JarFile(jar.toFile())) {
                    return fromJar(jf, jar, entry, via);
                }
            }
        } catch (URISyntaxException | IOException | IllegalArgumentException e) {
            throw new NotFound("policy " + location + " (from " + via.description() + ") cannot be read: " + e);
        }
        throw new NotFound("policy " + location + " (from " + via.description() + "): only file and jar locations are supported");
    }

    private static Document fromJar(JarFile jf, Path jar, String entryName, Via via) throws NotFound, IOException {
        String origin = jar + "!/" + entryName;
        JarEntry entry = entryName == null ? null : jf.getJarEntry(entryName);
        if (entry == null || entry.isDirectory()) {
            throw new NotFound("policy " + origin + " (from " + via.description() + ") is not in " + jar
                    + ": check the resource name");
        }
        try (InputStream in = jf.getInputStream(entry)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new NotFound("policy " + origin + " is larger than " + MAX_BYTES + " bytes");
            }
            return new Document(origin, via, bytes, null, jar.getParent());
        }
    }

    /** The policy named by the application jar's manifest, or null when it names none. */
    private static Document fromManifest(Path mainJar) throws NotFound {
        try (JarFile jf = new JarFile(mainJar.toFile())) {
            Manifest mf = jf.getManifest();
            String name = mf == null ? null : mf.getMainAttributes().getValue(new Attributes.Name(MANIFEST_ATTRIBUTE));
            if (name == null || name.isBlank()) {
                return null;
            }
            name = name.strip();
            if (name.startsWith("learn:") || name.startsWith("suggest:")) {
                throw new NotFound("the manifest of " + mainJar + " names " + MANIFEST_ATTRIBUTE + ": " + name
                        + ": learn and suggest runs are started only by the agent argument on the command line,"
                        + " never by an application jar; name a policy resource there");
            }
            while (name.startsWith("/")) {
                name = name.substring(1);
            }
            return fromJar(jf, mainJar.toAbsolutePath().normalize(), name, Via.MANIFEST);
        } catch (IOException e) {
            throw new NotFound("cannot read the manifest of " + mainJar + " to find its " + MANIFEST_ATTRIBUTE + ": " + e);
        }
    }
}
