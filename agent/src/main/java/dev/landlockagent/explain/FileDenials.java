package dev.landlockagent.explain;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.plan.RulesetPlan;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Denied file operations, explained: the java.io streams' opens, and NIO's operations, told apart
 * by the Files method on the caller's stack; metadata changes are {@link Metadata}'s.
 */
final class FileDenials {
    private FileDenials() {
    }

    static Denial open(RulesetPlan plan, String file, String action, long needOnFile, boolean mayCreate) {
        Path p = FileAccess.resolve(file);
        long need = needOnFile;
        Path target = p;
        if (mayCreate && !Files.exists(p) && p.getParent() != null) {
            target = p.getParent();
            need = AccessFs.MAKE_REG.mask();
            action = action + " (the file does not exist yet: creating it needs make_reg on its folder)";
        }
        return need(plan, action + " of " + file, target, need, action, file);
    }

    static Denial read(RulesetPlan plan, String file) {
        return open(plan, file, "open for reading", AccessFs.READ_FILE.mask(), false);
    }

    static Denial write(RulesetPlan plan, String file, boolean append) {
        long need = AccessFs.WRITE_FILE.mask() | (append ? 0 : AccessFs.TRUNCATE.mask());
        return open(plan, file, append ? "open for appending" : "open for writing", need, true);
    }

    /** RandomAccessFile's mode bits: O_RDONLY 1, O_RDWR 2 (java.io.RandomAccessFile). */
    static Denial random(RulesetPlan plan, String file, int mode) {
        boolean write = (mode & 2) != 0;
        long need = AccessFs.READ_FILE.mask() | (write ? AccessFs.WRITE_FILE.mask() : 0);
        return open(plan, file, write ? "open for reading and writing" : "open for reading", need, write);
    }

    /**
     * A java.io.File method that returned false (or null) with no errno: a denial only where the
     * plan lacks the right and nothing else explains the failure (the file is missing, the folder
     * exists already, the parent is missing): null otherwise.
     */
    static Denial ioFile(dev.landlockagent.instrument.Operation op, RulesetPlan plan, Object[] a) {
        String file = ((java.io.File) a[0]).getPath();
        Path p = FileAccess.resolve(file);
        Path parent = FileAccess.folderOf(p);
        boolean exists = Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return switch (op) {
            case FILE_MKDIR -> exists || !Files.isDirectory(parent) ? null
                    : createFolder(plan, "create folder " + file + " (File.mkdir returned false)", file, parent);
            case FILE_DELETE -> !exists ? null : delete(plan, "delete " + file + " (File.delete returned false)", file, p);
            case FILE_RENAME -> !exists ? null : rename(plan, file, p, parent, ((java.io.File) a[1]).getPath());
            case FILE_SET_PERMISSION -> !exists || metadataUnguarded(plan) ? null
                    : need(plan, "change the permissions of " + file + " (File.setReadable/setWritable/setExecutable returned"
                    + " false; metadata changes only where the JVM may write)", p, AccessFs.WRITE_FILE.mask(),
                    "set permissions", file);
            case FILE_LIST -> !Files.isDirectory(p) ? null : listFolder(plan, "list folder " + file + " (File.list returned null)", file, p);
            default -> null;
        };
    }

    /** Whether this JVM's metadata changes are left to the kernel (no read-only view): Landlock has no metadata right. */
    private static boolean metadataUnguarded(RulesetPlan plan) {
        for (String n : plan.notEnforced()) {
            if (n.startsWith("metadata")) {
                return true;
            }
        }
        return false;
    }

    /** A rename needs the removal right where the file was, the making right where it goes, and refer between folders. */
    private static Denial rename(RulesetPlan plan, String file, Path p, Path parent, String to) {
        Path toParent = FileAccess.folderOf(to);
        boolean dir = Files.isDirectory(p);
        long refer = parent.equals(toParent) ? 0 : AccessFs.REFER.mask();
        String what = "rename " + file + " to " + to + " (File.renameTo returned false)";
        Denial from = need(plan, what, parent, (dir ? AccessFs.REMOVE_DIR.mask() : AccessFs.REMOVE_FILE.mask()) | refer,
                "move files out of " + parent, file);
        if (from.byPolicy()) {
            return from;
        }
        return need(plan, what, toParent, (dir ? AccessFs.MAKE_DIR.mask() : AccessFs.MAKE_REG.mask()) | refer,
                "move files into " + toParent, to);
    }

    /** File.createNewFile and createTempFile make a regular file in its folder. */
    static Denial createNewFile(RulesetPlan plan, String file) {
        return createFile(plan, "create " + file, file, FileAccess.folderOf(file));
    }

    // The needs NIO and java.io share, each worded by its caller.

    private static Denial createFolder(RulesetPlan plan, String what, String file, Path parent) {
        return need(plan, what, parent, AccessFs.MAKE_DIR.mask(), "create folders in " + parent, file);
    }

    private static Denial createFile(RulesetPlan plan, String what, String file, Path parent) {
        return need(plan, what, parent, AccessFs.MAKE_REG.mask(), "create files in " + parent, file);
    }

    private static Denial delete(RulesetPlan plan, String what, String file, Path p) {
        Path parent = FileAccess.folderOf(p);
        return need(plan, what, parent, Files.isDirectory(p) ? AccessFs.REMOVE_DIR.mask() : AccessFs.REMOVE_FILE.mask(),
                "delete in " + parent, file);
    }

    private static Denial listFolder(RulesetPlan plan, String what, String file, Path p) {
        return need(plan, what, p, AccessFs.READ_DIR.mask(), "list " + file, file);
    }

    /** dlopen(3) of a native library: it reads the file (Landlock's execute right is for execve only). */
    static Denial nativeLibrary(RulesetPlan plan, String file) {
        Path p = FileAccess.resolve(file);
        return need(plan, "load native library " + file, p, AccessFs.READ_FILE.mask(), "load native library " + file, file);
    }

    /** NIO reports the path but not the operation: {@code method}, the caller's Files method, tells it. */
    static Denial nio(RulesetPlan plan, String method, String file, String other, Throwable thrown) {
        Path p = FileAccess.resolve(file);
        Path parent = FileAccess.folderOf(p);
        String change = Metadata.change(method);
        if (change != null) {
            return Metadata.explain(plan, change, file, p, thrown);
        }
        return switch (method) {
            case "createDirectory", "createDirectories", "createTempDirectory" -> createFolder(plan, "create folder " + file, file, parent);
            case "createFile", "createTempFile" -> createFile(plan, "create " + file, file, parent);
            case "delete", "deleteIfExists" -> delete(plan, "delete " + file, file, p);
            case "createSymbolicLink" -> need(plan, "create symbolic link " + file, parent, AccessFs.MAKE_SYM.mask(),
                    "create links in " + parent, file);
            case "move", "createLink" -> need(plan, method + " " + file + (other == null ? "" : " to " + other), parent,
                    AccessFs.REFER.mask() | AccessFs.REMOVE_FILE.mask() | AccessFs.MAKE_REG.mask(), "move files out of " + parent, file);
            case "newDirectoryStream", "list", "walk", "find" -> listFolder(plan, "list folder " + file, file, p);
            case "readAllBytes", "readString", "readAllLines", "lines", "newInputStream", "newBufferedReader", "copy" ->
                    need(plan, "read " + file, p, AccessFs.READ_FILE.mask(), "read " + file, file);
            case "write", "writeString", "newOutputStream", "newBufferedWriter" -> Files.exists(p)
                    ? need(plan, "write " + file, p, AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask(), "write " + file, file)
                    : createFile(plan, "create " + file, file, parent);
            default -> {
                // Opened for reading, writing or both: name every open right the policy lacks here.
                long open = AccessFs.READ_FILE.mask() | AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask();
                if (Files.isDirectory(p)) {
                    open = AccessFs.READ_DIR.mask();
                }
                yield need(plan, "open " + file, p, open, "open " + file, file);
            }
        };
    }

    /**
     * The outermost Files method on the stack, or else the attribute view's own method (an
     * application may call a PosixFileAttributeView directly), or "open".
     */
    static String nioMethodOnStack() {
        return StackWalker.getInstance().walk(s -> s.limit(40)
                .filter(f -> f.getClassName().equals("java.nio.file.Files") || Metadata.isViewFrame(f))
                .map(f -> Metadata.isViewFrame(f) && f.getClassName().contains("UserDefined") ? "xattr" : f.getMethodName())
                .reduce((first, second) -> second).orElse("open"));
    }

    /**
     * A file system need: which of {@code need} the plan lacks at {@code target}.
     *
     * @param action   the operation, for the log, e.g. "create files in /srv"
     * @param reported the path as the application named it
     */
    static Denial need(RulesetPlan plan, String what, Path target, long need, String action, String reported) {
        long granted = FileAccess.granted(plan, target);
        long missing = need & plan.handledFs() & ~granted;
        Denial.Facts f = Denial.Facts.path(action, reported).withRights(FileAccess.names(need), null);
        // Repeats: the same rights in the same folder, so that a client asking for many files of one
        // folder makes one log line, not one per file.
        Path folder = Files.isDirectory(target) ? target : FileAccess.folderOf(target);
        if (missing == 0) {
            return Denial.elsewhere(what, "file permissions (owner and mode), a read-only mount, another LSM"
                    + " such as SELinux or AppArmor, or a container's restrictions", f,
                    FileAccess.names(need) + " in " + folder);
        }
        String allowed = granted == 0 ? "nothing at " + target
                : FileAccess.names(granted & plan.handledFs()) + " at " + target;
        String rule = "{\"path\": \"" + FileAccess.suggestedPath(target) + "\", \"allow\": " + FileAccess.allowList(missing) + "}";
        return Denial.byPolicy(what + " (needs " + FileAccess.names(missing) + " on " + target + ")", allowed, rule,
                "\"filesystem\"", f.withRights(FileAccess.names(need), FileAccess.names(missing)),
                "\"filesystem\": " + FileAccess.names(missing) + " in " + folder);
    }
}
