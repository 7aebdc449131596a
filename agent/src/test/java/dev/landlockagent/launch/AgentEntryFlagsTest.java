package dev.landlockagent.launch;

import org.junit.jupiter.api.Test;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build marks the entry points varargs (src/build/EntryPointFlags.java) so that the JDK calls
 * them through its native reflection accessor. They stay what the JDK looks for: public static
 * void, (String, Instrumentation). Loaded by name: javac refuses to read a class whose varargs
 * method ends in a non-array ("malformed variable arity method"), so no Java source may name
 * AgentEntry; the JVM has no such rule.
 */
class AgentEntryFlagsTest {
    @Test
    void entryPointsAreMarkedVarargsByTheBuild() throws ReflectiveOperationException {
        Class<?> entry = Class.forName("dev.landlockagent.launch.AgentEntry");
        for (String name : new String[] {"premain", "agentmain"}) {
            Method m = entry.getDeclaredMethod(name, String.class, Instrumentation.class);
            assertTrue(m.isVarArgs(), name + " lacks ACC_VARARGS: the entry-point-flags step of agent/pom.xml did not run");
            assertTrue(Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()), name);
        }
    }
}
