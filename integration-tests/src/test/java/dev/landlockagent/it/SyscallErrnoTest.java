package dev.landlockagent.it;

import dev.landlockagent.linux.Errno;
import dev.landlockagent.linux.LinuxSyscalls;
import dev.landlockagent.linux.SyscallException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The real FFM binding reports each failing syscall's errno, read from the captured call state
 * without the layout's VarHandle (LinuxSyscalls). Only calls that fail, so the test JVM is never
 * restricted.
 */
class SyscallErrnoTest {
    private static final LinuxSyscalls SYS = LinuxSyscalls.link();

    @Test
    void errnoOfFailingCallsIsTheKernels() {
        assertEquals(Errno.ENOENT.number(),
                assertThrows(SyscallException.class, () -> SYS.openPath("/nonexistent-landlock-agent/x")).errno());
        assertEquals(Errno.ENOTDIR.number(),
                assertThrows(SyscallException.class, () -> SYS.openPath("/proc/self/status/x")).errno());
        assertEquals(Errno.EBADF.number(),
                assertThrows(SyscallException.class, () -> SYS.close(-1)).errno());
        assertEquals(Errno.EBADF.number(),
                assertThrows(SyscallException.class, () -> SYS.landlockAddPathBeneath(-1, 1, -1)).errno());
    }

    @Test
    void aSucceedingCallBetweenFailuresLeavesNothingBehind() throws SyscallException {
        assertThrows(SyscallException.class, () -> SYS.openPath("/nonexistent-landlock-agent/x"));
        int fd = SYS.openPath("/");
        SYS.close(fd);
        assertEquals(Errno.EBADF.number(), assertThrows(SyscallException.class, () -> SYS.close(fd)).errno());
    }
}
