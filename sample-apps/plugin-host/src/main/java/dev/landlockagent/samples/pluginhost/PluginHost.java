package dev.landlockagent.samples.pluginhost;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.jar.JarFile;

/**
 * Loads a plugin jar it does not trust and runs it in-process: the class named by the jar's
 * {@code Plugin-Class} manifest attribute, a {@link Runnable}.
 *
 * <pre>java -jar plugin-host.jar PLUGIN.jar</pre>
 *
 * In-process plugins cannot be sandboxed by the JVM since JEP 486; the host's policy confines the
 * whole JVM, the plugin included.
 */
public final class PluginHost {
    private PluginHost() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "plugins/untrusted-plugin.jar").toAbsolutePath();
        String pluginClass;
        try (JarFile jf = new JarFile(jar.toFile())) {
            pluginClass = jf.getManifest().getMainAttributes().getValue("Plugin-Class");
        } catch (IOException e) {
            System.out.println("cannot load plugin " + jar + ": " + e);
            System.exit(2);
            return;
        }
        System.out.println("loading plugin " + pluginClass + " from " + jar);
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, PluginHost.class.getClassLoader());
        Runnable plugin = (Runnable) Class.forName(pluginClass, true, loader).getDeclaredConstructor().newInstance();
        try {
            plugin.run();
        } catch (RuntimeException e) {
            // under "exit": "deny", a plugin's System.exit is a SecurityException: the host goes on, and ends itself
            System.out.println("plugin failed: " + e);
            System.out.println("the host is still fine; it exits with status 1");
            System.exit(1);
        }
        System.out.println("plugin finished; the host is still fine");
    }
}
