import java.lang.classfile.AccessFlags;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Build step (agent/pom.xml, process-classes): sets ACC_VARARGS on the agent's {@code premain} and
 * {@code agentmain}.
 *
 * <p>The JDK calls an agent's entry point with {@code Method.invoke}. On a cold JVM its first use
 * spins method handles and lambda forms for the call (~10 ms), and every JVM that runs the agent
 * pays it: twice on the re-exec path. The JDK's reflection calls a method through its native
 * accessor instead, with nothing to spin, when the method is marked varargs but its last parameter
 * is not an array (jdk.internal.reflect.MethodHandleAccessorFactory#useNativeAccessor: a method
 * handle could not be adapted to such a method). The flag means nothing else to the JVM, and the
 * JDK finds the entry points by name and parameter types, so nothing else changes. Measured: 24 ms
 * off {@code Hello} under the agent (docs/performance.md). If a JDK ever stops taking that path,
 * the agent is only slower, and AgentEntryFlagsTest fails.
 */
public class EntryPointFlags {
    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            Path file = Path.of(arg);
            ClassFile cf = ClassFile.of();
            ClassModel model = cf.parse(Files.readAllBytes(file));
            int[] marked = {0};
            byte[] out = cf.transformClass(model, (cb, element) -> {
                if (element instanceof MethodModel m && isEntryPoint(m)) {
                    marked[0]++;
                    cb.transformMethod(m, (mb, me) -> {
                        if (me instanceof AccessFlags flags) {
                            mb.withFlags(flags.flagsMask() | ClassFile.ACC_VARARGS);
                        } else {
                            mb.with(me);
                        }
                    });
                } else {
                    cb.with(element);
                }
            });
            if (marked[0] == 0) {
                throw new IllegalStateException(file + " has no premain or agentmain(String, Instrumentation)");
            }
            Files.write(file, out);
        }
    }

    private static boolean isEntryPoint(MethodModel m) {
        return (m.methodName().equalsString("premain") || m.methodName().equalsString("agentmain"))
                && m.methodType().equalsString("(Ljava/lang/String;Ljava/lang/instrument/Instrumentation;)V");
    }
}
