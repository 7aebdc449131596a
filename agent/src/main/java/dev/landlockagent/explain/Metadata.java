package dev.landlockagent.explain;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.linux.Capability;
import dev.landlockagent.linux.ProcStatus;
import dev.landlockagent.plan.RulesetPlan;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Denied metadata changes through NIO (permissions, owner, times, extended attributes), explained.
 * Outside the writable paths a root JVM's read-only view answers EROFS; elsewhere the kernel's
 * own rules answer EPERM: changing a file another user owns needs {@code fowner}, giving it away
 * needs {@code chown}, a {@code trusted.} or {@code security.} attribute needs {@code sys_admin},
 * and the setuid and setgid bits are the seccomp filter's {@code @setid-modes}.
 */
final class Metadata {
    private Metadata() {
    }

    /** A stack frame of the JDK's Unix attribute views, whose methods name the change. */
    static boolean isViewFrame(StackWalker.StackFrame f) {
        String c = f.getClassName();
        return c.startsWith("sun.nio.fs.UnixFileAttributeViews$") && c.length() > "sun.nio.fs.UnixFileAttributeViews$".length()
                || c.equals("sun.nio.fs.LinuxUserDefinedFileAttributeView") || c.equals("sun.nio.fs.UnixUserDefinedFileAttributeView");
    }

    /** What a Files or view method changes: "permissions", "owner", "times", "xattr", "attribute"; or null. */
    static String change(String method) {
        return switch (method) {
            case "setPosixFilePermissions", "setPermissions", "setMode" -> "permissions";
            case "setOwner", "setGroup", "setOwners" -> "owner";
            case "setLastModifiedTime", "setTimes" -> "times";
            case "xattr" -> "xattr";
            case "setAttribute" -> "attribute";
            default -> null;
        };
    }

    static Denial explain(RulesetPlan plan, String change, String file, Path p, Throwable thrown) {
        String what = switch (change) {
            case "permissions" -> "change the permissions of " + file;
            case "owner" -> "change the owner of " + file;
            case "times" -> "change the times of " + file;
            case "xattr" -> "change an extended attribute of " + file;
            default -> "change an attribute of " + file;
        };
        Denial.Facts f = Denial.Facts.path("set " + change, file);
        String reason = thrown instanceof FileSystemException fse ? String.valueOf(fse.getReason()) : String.valueOf(thrown.getMessage());
        if (reason.contains("Read-only file system")) {
            // A root JVM's read-only view: metadata may change where the policy lets the JVM write.
            long need = AccessFs.WRITE_FILE.mask();
            return FileDenials.need(plan, what + " (metadata changes only where the JVM may write)", p, need, what, file);
        }
        if (thrown instanceof java.nio.file.AccessDeniedException) {
            // EACCES: Landlock has no metadata right, so this is the file's mode (setting times to now needs write permission).
            return Denial.elsewhere(what, "the file's owner and mode, or another LSM", f);
        }
        if (!reason.contains("Operation not permitted")) {
            return null;
        }
        Capability needed = switch (change) {
            case "owner" -> Capability.CHOWN;
            case "xattr" -> Capability.SYS_ADMIN; // user.* attributes follow the file's mode instead
            default -> ownedByThisUser(p) ? null : Capability.FOWNER;
        };
        if (needed == null) {
            Denial.Facts setid = f.withSyscalls("@setid-modes");
            if (plan.allowedSyscalls().contains("@setid-modes")) {
                return Denial.elsewhere(what, "the file's owner and mode, or another LSM", setid);
            }
            return Denial.byPolicy(what + " (setting the setuid or setgid bit)",
                    "no setuid or setgid bit (the privileged syscalls of list 1)", "\"@setid-modes\"",
                    "\"syscalls\" > \"allow\"", setid);
        }
        return CapabilityDenials.explain(plan, what + " (needs " + needed.kernelName() + ")", needed, f);
    }

    /** Whether this process's user owns {@code p} (the kernel lets an owner change mode and times). */
    private static boolean ownedByThisUser(Path p) {
        try {
            Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return String.valueOf(uid).equals(ProcStatus.self().part("Uid", 1)); // the effective uid
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }
}
