package dev.landlockagent.it;

import dev.landlockagent.landlock.Landlock;
import dev.landlockagent.linux.LinuxSyscalls;
import dev.landlockagent.linux.SyscallException;

/**
 * Whether this machine's kernel has Landlock, asked once from the test JVM (which only queries,
 * never restricts itself).
 */
public final class LandlockSupport {
    private static Integer abi;
    private static String unavailable;

    private LandlockSupport() {
    }

    /** The kernel's Landlock ABI, or 0 without Landlock. */
    public static synchronized int abi() {
        if (abi == null) {
            try {
                abi = new Landlock(LinuxSyscalls.link()).abi().version();
            } catch (SyscallException e) {
                abi = 0;
                unavailable = e.getMessage();
            } catch (RuntimeException | Error e) {
                abi = 0;
                unavailable = e.toString();
            }
        }
        return abi;
    }

    /** Why Landlock is unavailable, or null. */
    public static String whyUnavailable() {
        abi();
        return unavailable;
    }

    /** True when {@code LANDLOCK_REQUIRED=1}: missing Landlock is a failure, not a reason to skip. */
    public static boolean required() {
        return "1".equals(System.getenv("LANDLOCK_REQUIRED"));
    }
}
