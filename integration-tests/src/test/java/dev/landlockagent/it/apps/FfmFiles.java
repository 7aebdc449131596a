package dev.landlockagent.it.apps;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Opens a file and creates an inet6 UDP socket through libc's open(2) and socket(2) directly,
 * with FFM: past every JDK funnel the agent instruments. Prints what worked.
 */
public final class FfmFiles {
    private FfmFiles() {
    }

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle socket = linker.downcallHandle(linker.defaultLookup().find("socket").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(arena.allocateFrom(args[0]), 0);
            int s = (int) socket.invokeExact(10, 2, 0); // AF_INET6, SOCK_DGRAM
            System.out.println("open " + (fd >= 0 ? "ok" : "denied") + ", socket " + (s >= 0 ? "ok" : "denied"));
        }
    }
}
