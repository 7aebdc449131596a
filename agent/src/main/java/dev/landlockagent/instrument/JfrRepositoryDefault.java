package dev.landlockagent.instrument;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * JFR started after the JVM (by {@code jcmd JFR.start}, JMC, or the application's
 * {@code jdk.jfr.Recording}) makes its repository in {@code java.io.tmpdir}, which a policy can
 * allow only as a whole. This makes JFR's default base the run's diagnostics folder instead: the
 * one constant {@code "java.io.tmpdir"} that {@code jdk.jfr.internal.Repository} reads its default
 * from becomes the property that names that folder. A repository the operator names is unaffected,
 * and nothing else in the JVM sees a different temporary folder. The class loads only when JFR is
 * used, so the rest of the JVM pays one name comparison per class load.
 */
public final class JfrRepositoryDefault implements ClassFileTransformer {
    static final String REPOSITORY = "jdk/jfr/internal/Repository";
    private final String property;

    private JfrRepositoryDefault(String property) {
        this.property = property;
    }

    /** Redirects JFR's default repository to the folder the system property {@code property} names. */
    public static void install(Instrumentation inst, String property) {
        inst.addTransformer(new JfrRepositoryDefault(property));
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        if (!REPOSITORY.equals(className) || redefined != null) {
            return null;
        }
        try {
            return Rewrite.of(bytes, property);
        } catch (RuntimeException | Error e) {
            return null; // another JDK's Repository: JFR keeps its default, and its denial is explained
        }
    }

    /**
     * The rewriting, in a class of its own: loading the transformer must not load ASM, which every
     * JVM would pay for at start (measured: 1 to 4 ms) while only a JVM that starts JFR uses it.
     */
    static final class Rewrite {
        private Rewrite() {
        }

        /** The class with {@code ldc "java.io.tmpdir"} in its static initialiser replaced by {@code ldc property}; null if none. */
        static byte[] of(byte[] bytes, String property) {
            ClassReader reader = new ClassReader(bytes);
            ClassWriter writer = new ClassWriter(reader, 0);
            boolean[] changed = {false};
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                    if (!name.equals("<clinit>")) {
                        return mv;
                    }
                    return new MethodVisitor(Opcodes.ASM9, mv) {
                        @Override
                        public void visitLdcInsn(Object value) {
                            if ("java.io.tmpdir".equals(value)) {
                                changed[0] = true;
                                super.visitLdcInsn(property);
                            } else {
                                super.visitLdcInsn(value);
                            }
                        }
                    };
                }
            }, 0);
            return changed[0] ? writer.toByteArray() : null;
        }
    }
}
