package dev.landlockagent.instrument;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The weaver against this JDK's own class files: every target method is found and hooked. (That
 * the woven classes pass the JVM's verifier and explain denials is checked in forked JVMs by the
 * integration tests, FriendlyDenialsTest with -XX:+BytecodeVerificationLocal.)
 */
class WeaverTest {
    private final Weaver weaver = new Weaver();

    @Test
    void everyTargetOfThisJdkIsWovenWithTheHookAndItsOperation() throws Exception {
        for (Target t : Target.ALL) {
            byte[] original = original(t);
            if (original == null) {
                // jdk.sctp may be missing from a jlink image; gRPC's shaded Netty is not on this class path
                assertTrue(t.module() != null || t.internalName().startsWith("io/grpc/"), t.className());
                continue;
            }
            byte[] woven = weaver.weave(t, original);
            String text = new String(woven, StandardCharsets.ISO_8859_1);
            assertTrue(woven.length > original.length, t.className());
            assertTrue(text.contains("dev.landlockagent.launch.DenialHook"), t.className() + " calls the hook");
            for (Target.Method m : t.methods()) {
                assertTrue(text.contains(m.operation().id()), t.className() + "." + m.name() + " names " + m.operation().id());
            }
        }
    }

    @Test
    void aClassWithoutTheExpectedMethodIsRefusedRatherThanHalfWoven() throws Exception {
        Target renamed = new Target("java.base", "java/io/FileInputStream", java.util.List.of(
                new Target.Method("open", "(Ljava/lang/String;I)V", Operation.FILE_READ, new int[] {0}, Target.Exit.THROWN)));
        byte[] original = original(renamed);
        assertNotNull(original);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> weaver.weave(renamed, original));
        assertTrue(e.getMessage().contains("java.io.FileInputStream lacks a method"), e.getMessage());
    }

    @Test
    void runtimesExitAndHaltAreWovenWithTheExitHookBeforeTheirBody() throws Exception {
        byte[] original = original(Target.RUNTIME);
        byte[] woven = weaver.weave(Target.RUNTIME, original);
        String text = new String(woven, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("dev.landlockagent.launch.ExitHook"), "calls the exit hook");
        assertTrue(!text.contains("dev.landlockagent.launch.DenialHook"), "and not the denial hook");
        assertTrue(text.contains(Operation.RUNTIME_EXIT.id()) && text.contains(Operation.RUNTIME_HALT.id()));
    }

    @Test
    void everyOperationTheExplainerKnowsIsReportedByAFunnel() {
        java.util.Set<Operation> reported = java.util.EnumSet.noneOf(Operation.class);
        java.util.List<Target> all = new java.util.ArrayList<>(Target.ALL);
        all.add(Target.RUNTIME);
        for (Target t : all) {
            for (Target.Method m : t.methods()) {
                reported.add(m.operation());
                assertEquals(m.operation(), Operation.of(m.operation().id()), "the id names it back");
            }
        }
        assertEquals(java.util.EnumSet.allOf(Operation.class), reported, "no operation without a funnel");
    }

    /** A library's class is woven with the methods its version has; the JDK's are all or nothing. */
    @Test
    void aLibraryClassIsWovenWithTheMethodsItsVersionHas() throws Exception {
        Target netty = Target.byName().get("io/netty/channel/unix/Socket");
        java.util.List<Target.Method> withOneMore = new java.util.ArrayList<>(netty.methods());
        withOneMore.add(new Target.Method("connectTwice", "(Ljava/net/SocketAddress;)Z", Operation.NETTY_CONNECT,
                new int[] {0}, Target.Exit.THROWN));
        byte[] original = original(netty);
        byte[] woven = weaver.weave(new Target(null, netty.internalName(), withOneMore), original);
        assertTrue(new String(woven, StandardCharsets.ISO_8859_1).contains(Operation.NETTY_CONNECT.id()));
        Target none = new Target(null, netty.internalName(), java.util.List.of(withOneMore.getLast()));
        assertThrows(IllegalStateException.class, () -> weaver.weave(none, original));
    }

    private static byte[] original(Target t) throws Exception {
        if (t.library()) {
            // Netty is on this test's class path; a shaded copy is not, and is the same class renamed
            try (InputStream in = WeaverTest.class.getClassLoader().getResourceAsStream(t.internalName() + ".class")) {
                return in == null ? null : in.readAllBytes();
            }
        }
        var module = ModuleLayer.boot().findModule(t.module());
        if (module.isEmpty()) {
            return null;
        }
        try (InputStream in = module.get().getResourceAsStream(t.internalName() + ".class")) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
