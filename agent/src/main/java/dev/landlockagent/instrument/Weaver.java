package dev.landlockagent.instrument;

import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.TypeInitializer;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.implementation.auxiliary.AuxiliaryType;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.pool.TypePool;

/**
 * Weaves a target's advice into its class bytes with Byte Buddy's {@link Advice}, applied directly
 * to Byte Buddy's ASM reader and writer with a lazy {@link TypePool} rather than through
 * {@code AgentBuilder} or {@code ByteBuddy.redefine}: the cheapest way measured (FACTS.md).
 */
final class Weaver {
    private final ClassFileLocator jdk;

    Weaver() {
        this.jdk = ClassFileLocator.ForClassLoader.ofBootLoader();
    }

    byte[] weave(Target target, byte[] original) {
        ClassFileLocator locator = new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(target.className(), original), jdk, agentClasses());
        TypePool pool = TypePool.Default.WithLazyResolution.of(locator);
        TypeDescription type = pool.describe(target.className()).resolve();
        AsmVisitorWrapper.ForDeclaredMethods wrapper = new AsmVisitorWrapper.ForDeclaredMethods();
        for (Target.Method m : target.methods()) {
            TypeDescription advice = pool.describe(m.advice().getName()).resolve();
            wrapper = wrapper.method(ElementMatchers.named(m.name()).and(ElementMatchers.hasDescriptor(m.descriptor())),
                    Advice.to(advice, locator));
        }
        ClassFileVersion version = ClassFileVersion.ofClassFile(original);
        ClassReader reader = new ClassReader(original);
        ClassWriter writer = new ClassWriter(reader, 0);
        Implementation.Context context = Implementation.Context.Disabled.Factory.INSTANCE.make(type,
                new AuxiliaryType.NamingStrategy.SuffixingRandom("landlock"), TypeInitializer.None.INSTANCE, version,
                version, Implementation.Context.FrameGeneration.GENERATE);
        ClassVisitor visitor = wrapper.wrap(type, writer, context, pool, type.getDeclaredFields(), type.getDeclaredMethods(),
                wrapper.mergeWriter(0), wrapper.mergeReader(0));
        reader.accept(visitor, wrapper.mergeReader(0));
        return writer.toByteArray();
    }

    /** The advice classes' own class files, from the agent's loader. */
    private static ClassFileLocator agentClasses() {
        return ClassFileLocator.ForClassLoader.of(Weaver.class.getClassLoader());
    }
}
