package dev.landlockagent.instrument;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.util.ArrayList;
import java.util.List;

/**
 * Weaves the denial hook into a target's methods with Byte Buddy's ASM (its class reader and
 * writer, without {@code Advice}, {@code TypePool} or {@code ByteBuddy}): about 25 classes to load
 * instead of Byte Buddy's ~500, which is what a JVM's first socket waits for (docs/performance.md).
 *
 * <p>For a method whose exception the explainer may replace ({@link Target.Exit#THROWN}) the whole
 * body is wrapped in a catch-all that runs at the end of the method, after the JDK's own handlers
 * in the exception table, so it sees only what the method itself lets escape:
 *
 * <pre>
 *   catch (Throwable t) {
 *       try {
 *           Object r = ((BiFunction) Class.forName("dev.landlockagent.launch.DenialHook", true,
 *                   ClassLoader.getSystemClassLoader()).getMethod("handler").invoke(null))
 *                   .apply(operation, new Object[] {arguments..., t});
 *           if (r instanceof Throwable) t = (Throwable) r;
 *       } catch (Throwable ignored) { }
 *       throw t;
 *   }
 * </pre>
 *
 * For {@link Target.Exit#RETURNED_FALSE} and {@link Target.Exit#RETURNED_NULL} each return jumps to
 * a block that returns a success at once and, for a failure, calls the hook with no exception and
 * returns the failure unchanged.
 * For {@link Target.Exit#RETURNED_ACCESS_DENIED} each {@code areturn} jumps to the same block,
 * which runs only for an AccessDeniedException or a plain FileSystemException (EPERM, EROFS) and
 * returns instead of throwing. Only java.base
 * types are named: the code runs inside java.base, which cannot see the agent's classes, so it
 * finds the hook through the system class loader. Nothing runs on a method's normal path.
 *
 * <p>No method or field is added, so classes loaded before the agent (the file streams) can be
 * retransformed. The stack map frames are written by hand, each naming only the method's
 * parameters (the body's other locals are dead at the catch-all), so the writer never loads a
 * class to compute a frame.
 */
final class Weaver {
    /** launch.DenialHook, named: the agent's core cannot load the jar root's classes. */
    static final String HOOK = "dev.landlockagent.launch.DenialHook";
    /** launch.ExitHook: the handler of {@link Target.Exit#ENTRY} methods. */
    static final String EXIT_HOOK = "dev.landlockagent.launch.ExitHook";
    private static final String THROWABLE = "java/lang/Throwable";
    private static final String ACCESS_DENIED = "java/nio/file/AccessDeniedException";
    private static final String FILE_SYSTEM_EXCEPTION = "java/nio/file/FileSystemException";
    private static final String OBJECT = "java/lang/Object";
    /** Enough for the hook call: BiFunction, operation, array, array, index, a long argument. */
    private static final int HOOK_STACK = 8;

    byte[] weave(Target target, byte[] original) {
        ClassReader reader = new ClassReader(original);
        ClassWriter writer = new ClassWriter(reader, 0);
        List<String> woven = new ArrayList<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                for (Target.Method m : target.methods()) {
                    if (m.name().equals(name) && m.descriptor().equals(descriptor)) {
                        woven.add(name);
                        return new HookedMethod(mv, target.internalName(), (access & Opcodes.ACC_STATIC) != 0, m);
                    }
                }
                return mv;
            }
        }, 0);
        if (target.library() ? woven.isEmpty() : woven.size() != target.methods().size()) {
            throw new IllegalStateException(target.className() + " lacks a method to instrument: found only " + woven);
        }
        return writer.toByteArray();
    }

    /** One target method: records where its body starts, and appends the hook at its end. */
    private static final class HookedMethod extends MethodVisitor {
        private final Target.Method method;
        private final Type[] parameters;
        /** The frame's view of the locals the hook may use: this (if any) and the parameters. */
        private final Object[] parameterFrame;
        private final int parameterSlots;
        private final boolean returns;
        /** RETURNED_FALSE or RETURNED_NULL: the hook runs on the failing return, with no exception. */
        private final boolean silent;
        /** ENTRY: the exit hook runs before the body. */
        private final boolean entry;
        private final Label bodyStart = new Label();
        private final Label hook = new Label();

        HookedMethod(MethodVisitor mv, String owner, boolean isStatic, Target.Method method) {
            super(Opcodes.ASM9, mv);
            this.method = method;
            this.parameters = Type.getArgumentTypes(method.descriptor());
            this.returns = method.exit() == Target.Exit.RETURNED_ACCESS_DENIED;
            this.silent = method.exit() == Target.Exit.RETURNED_FALSE || method.exit() == Target.Exit.RETURNED_NULL;
            this.entry = method.exit() == Target.Exit.ENTRY;
            List<Object> frame = new ArrayList<>();
            int slots = 0;
            if (!isStatic) {
                frame.add(owner);
                slots++;
            }
            for (Type p : parameters) {
                frame.add(frameType(p));
                slots += p.getSize();
            }
            this.parameterFrame = frame.toArray();
            this.parameterSlots = slots;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (entry) {
                prologue();
            }
            super.visitLabel(bodyStart);
        }

        /**
         * {@code Object r = hook.apply(operation, {arguments..., null}); if (r instanceof Throwable) throw r;}
         * with no handler around it: whatever the hook throws (a StackOverflowError included)
         * propagates, so that a failing check never lets the body run. The frame after it names
         * the parameters alone, as the method's implicit first frame does, so the body's own
         * compressed frames still read the same.
         */
        private void prologue() {
            Label body = new Label();
            callHook(-1, EXIT_HOOK);
            super.visitInsn(Opcodes.DUP);
            super.visitTypeInsn(Opcodes.INSTANCEOF, THROWABLE);
            super.visitJumpInsn(Opcodes.IFEQ, body);
            super.visitTypeInsn(Opcodes.CHECKCAST, THROWABLE);
            super.visitInsn(Opcodes.ATHROW);
            super.visitLabel(body);
            super.visitFrame(Opcodes.F_FULL, parameterFrame.length, parameterFrame, 1, new Object[] {OBJECT});
            super.visitInsn(Opcodes.POP);
        }

        @Override
        public void visitInsn(int opcode) {
            if (returns && opcode == Opcodes.ARETURN) {
                super.visitJumpInsn(Opcodes.GOTO, hook); // the stack holds just the IOException
                return;
            }
            if (silent && opcode == (method.exit() == Target.Exit.RETURNED_FALSE ? Opcodes.IRETURN : Opcodes.ARETURN)) {
                super.visitJumpInsn(Opcodes.GOTO, hook); // the stack holds just the result
                return;
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (entry) {
                super.visitMaxs(Math.max(maxStack, HOOK_STACK), maxLocals);
                return;
            }
            if (silent) {
                silentFailure(maxStack, maxLocals);
                return;
            }
            Label bodyEnd = new Label();
            super.visitLabel(bodyEnd);
            String caught = returns ? "java/io/IOException" : THROWABLE;
            int exception = parameterSlots;
            int result = parameterSlots + 1;
            Object[] withException = append(parameterFrame, caught);
            Label done = new Label();
            Label callStart = new Label();
            Label callEnd = new Label();
            Label callFailed = new Label();

            super.visitLabel(hook);
            super.visitFrame(Opcodes.F_FULL, parameterFrame.length, parameterFrame, 1, new Object[] {caught});
            super.visitVarInsn(Opcodes.ASTORE, exception);
            if (returns) {
                // An AccessDeniedException (EACCES), or a plain FileSystemException: EPERM or EROFS
                // among the rarer errnos, never the common NoSuchFile or FileAlreadyExists.
                Label explain = new Label();
                super.visitVarInsn(Opcodes.ALOAD, exception);
                super.visitTypeInsn(Opcodes.INSTANCEOF, ACCESS_DENIED);
                super.visitJumpInsn(Opcodes.IFNE, explain);
                super.visitVarInsn(Opcodes.ALOAD, exception);
                super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, OBJECT, "getClass", "()Ljava/lang/Class;", false);
                super.visitLdcInsn(Type.getObjectType(FILE_SYSTEM_EXCEPTION));
                super.visitJumpInsn(Opcodes.IF_ACMPNE, done);
                super.visitLabel(explain);
                super.visitFrame(Opcodes.F_FULL, withException.length, withException, 0, new Object[0]);
            }
            super.visitLabel(callStart);
            callHook(exception);
            super.visitVarInsn(Opcodes.ASTORE, result);
            super.visitLabel(callEnd);
            super.visitVarInsn(Opcodes.ALOAD, result);
            super.visitTypeInsn(Opcodes.INSTANCEOF, caught);
            super.visitJumpInsn(Opcodes.IFEQ, done);
            super.visitVarInsn(Opcodes.ALOAD, result);
            super.visitTypeInsn(Opcodes.CHECKCAST, caught);
            super.visitVarInsn(Opcodes.ASTORE, exception);

            super.visitLabel(done);
            super.visitFrame(Opcodes.F_FULL, withException.length, withException, 0, new Object[0]);
            super.visitVarInsn(Opcodes.ALOAD, exception);
            super.visitInsn(returns ? Opcodes.ARETURN : Opcodes.ATHROW);

            super.visitLabel(callFailed); // the hook failed: the JDK's own exception stands
            super.visitFrame(Opcodes.F_FULL, withException.length, withException, 1, new Object[] {THROWABLE});
            super.visitInsn(Opcodes.POP);
            super.visitJumpInsn(Opcodes.GOTO, done);

            // Added after the method's own entries, so its own handlers keep precedence.
            if (!returns) {
                super.visitTryCatchBlock(bodyStart, bodyEnd, hook, THROWABLE);
            }
            super.visitTryCatchBlock(callStart, callEnd, callFailed, THROWABLE);
            super.visitMaxs(Math.max(maxStack, HOOK_STACK), Math.max(maxLocals, result + 1));
        }

        /**
         * Every return jumps here with its result: a success returns it; a failure (false, null)
         * calls the hook with no exception, ignores its answer, and returns the failure as it was.
         */
        private void silentFailure(int maxStack, int maxLocals) {
            boolean bool = method.exit() == Target.Exit.RETURNED_FALSE;
            Object result = bool ? Opcodes.INTEGER : Type.getReturnType(method.descriptor()).getInternalName();
            Label success = new Label();
            Label callStart = new Label();
            Label callEnd = new Label();
            Label callFailed = new Label();
            Label done = new Label();
            super.visitLabel(hook);
            super.visitFrame(Opcodes.F_FULL, parameterFrame.length, parameterFrame, 1, new Object[] {result});
            super.visitInsn(Opcodes.DUP);
            super.visitJumpInsn(bool ? Opcodes.IFNE : Opcodes.IFNONNULL, success);
            super.visitInsn(Opcodes.POP);
            super.visitLabel(callStart);
            callHook(-1);
            super.visitInsn(Opcodes.POP);
            super.visitLabel(callEnd);
            super.visitLabel(done);
            super.visitFrame(Opcodes.F_FULL, parameterFrame.length, parameterFrame, 0, new Object[0]);
            super.visitInsn(bool ? Opcodes.ICONST_0 : Opcodes.ACONST_NULL);
            super.visitInsn(bool ? Opcodes.IRETURN : Opcodes.ARETURN);
            super.visitLabel(success);
            super.visitFrame(Opcodes.F_FULL, parameterFrame.length, parameterFrame, 1, new Object[] {result});
            super.visitInsn(bool ? Opcodes.IRETURN : Opcodes.ARETURN);
            super.visitLabel(callFailed); // the hook failed: the failure stands, as the JDK returned it
            super.visitFrame(Opcodes.F_FULL, parameterFrame.length, parameterFrame, 1, new Object[] {THROWABLE});
            super.visitInsn(Opcodes.POP);
            super.visitJumpInsn(Opcodes.GOTO, done);
            super.visitTryCatchBlock(callStart, callEnd, callFailed, THROWABLE);
            super.visitMaxs(Math.max(maxStack, HOOK_STACK), Math.max(maxLocals, parameterSlots));
        }

        /** Pushes the hook's answer for (operation, {arguments..., exception}); {@code exception} -1: null. */
        private void callHook(int exception) {
            callHook(exception, HOOK);
        }

        private void callHook(int exception, String hookClass) {
            super.visitLdcInsn(hookClass);
            super.visitInsn(Opcodes.ICONST_1);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/ClassLoader", "getSystemClassLoader",
                    "()Ljava/lang/ClassLoader;", false);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Class", "forName",
                    "(Ljava/lang/String;ZLjava/lang/ClassLoader;)Ljava/lang/Class;", false);
            super.visitLdcInsn("handler");
            super.visitInsn(Opcodes.ICONST_0);
            super.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Class");
            super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Class", "getMethod",
                    "(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;", false);
            super.visitInsn(Opcodes.ACONST_NULL);
            super.visitInsn(Opcodes.ICONST_0);
            super.visitTypeInsn(Opcodes.ANEWARRAY, OBJECT);
            super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/reflect/Method", "invoke",
                    "(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;", false);
            super.visitTypeInsn(Opcodes.CHECKCAST, "java/util/function/BiFunction");
            super.visitLdcInsn(method.operation().id());
            int[] arguments = method.arguments();
            pushInt(arguments.length + 1);
            super.visitTypeInsn(Opcodes.ANEWARRAY, OBJECT);
            for (int i = 0; i < arguments.length; i++) {
                super.visitInsn(Opcodes.DUP);
                pushInt(i);
                loadBoxed(arguments[i]);
                super.visitInsn(Opcodes.AASTORE);
            }
            super.visitInsn(Opcodes.DUP);
            pushInt(arguments.length);
            if (exception < 0) {
                super.visitInsn(Opcodes.ACONST_NULL);
            } else {
                super.visitVarInsn(Opcodes.ALOAD, exception);
            }
            super.visitInsn(Opcodes.AASTORE);
            super.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/function/BiFunction", "apply",
                    "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", true);
        }

        private void loadBoxed(int argument) {
            int slot = parameterSlots;
            for (int i = parameters.length - 1; i >= argument; i--) {
                slot -= parameters[i].getSize();
            }
            Type t = parameters[argument];
            super.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
            String box = switch (t.getSort()) {
                case Type.BOOLEAN -> "java/lang/Boolean";
                case Type.CHAR -> "java/lang/Character";
                case Type.BYTE -> "java/lang/Byte";
                case Type.SHORT -> "java/lang/Short";
                case Type.INT -> "java/lang/Integer";
                case Type.LONG -> "java/lang/Long";
                case Type.FLOAT -> "java/lang/Float";
                case Type.DOUBLE -> "java/lang/Double";
                default -> null;
            };
            if (box != null) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, box, "valueOf", "(" + t.getDescriptor() + ")L" + box + ";", false);
            }
        }

        private void pushInt(int value) {
            if (value <= 5) {
                super.visitInsn(Opcodes.ICONST_0 + value);
            } else {
                super.visitIntInsn(Opcodes.BIPUSH, value);
            }
        }

        private static Object frameType(Type t) {
            return switch (t.getSort()) {
                case Type.BOOLEAN, Type.CHAR, Type.BYTE, Type.SHORT, Type.INT -> Opcodes.INTEGER;
                case Type.LONG -> Opcodes.LONG;
                case Type.FLOAT -> Opcodes.FLOAT;
                case Type.DOUBLE -> Opcodes.DOUBLE;
                default -> t.getInternalName();
            };
        }

        private static Object[] append(Object[] a, Object last) {
            Object[] r = java.util.Arrays.copyOf(a, a.length + 1);
            r[a.length] = last;
            return r;
        }
    }
}
