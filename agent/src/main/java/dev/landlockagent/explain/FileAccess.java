package dev.landlockagent.explain;

import dev.landlockagent.landlock.AccessFs;
import dev.landlockagent.plan.KernelPath;
import dev.landlockagent.plan.RulesetPlan;
import dev.landlockagent.policy.AccessNames;

import java.nio.file.Path;

/**
 * Paths and rights in the words of a denial: the path as the kernel saw it, the rights granted
 * there ({@link RulesetPlan#grantedAt}), and the policy names that would grant the missing ones.
 */
final class FileAccess {
    private FileAccess() {
    }

    /** The path as the kernel sees it: absolute, with the existing part's symbolic links resolved. */
    static Path resolve(String file) {
        return KernelPath.of(Path.of(file));
    }

    /** The folder a file or socket named {@code file} is made in, as the kernel sees it. */
    static Path folderOf(String file) {
        return folderOf(resolve(file));
    }

    /** The folder {@code p} (already as the kernel sees it) is made in; the root for the root. */
    static Path folderOf(Path p) {
        return p.getParent() == null ? p : p.getParent();
    }

    /**
     * The path to write in a suggested rule for {@code target}: never a random name, which would not
     * exist at the next start (and the parser refuses a missing path). The rule goes on the folder
     * above the first component that looks generated (Files.createTempDirectory's
     * {@code tomcat.8080.1689...}, createTempFile's {@code start_1775....properties}), and a path in
     * the temporary folder is written with {@code ${java.io.tmpdir}}.
     */
    static String suggestedPath(Path target) {
        Path stable = target.getRoot() == null ? target : target.getRoot();
        for (Path part : target) {
            if (looksGenerated(part.toString())) {
                break;
            }
            stable = stable.resolve(part);
        }
        Path tmp = resolve(System.getProperty("java.io.tmpdir", "/tmp"));
        if (stable.startsWith(tmp) && tmp.getNameCount() > 0) {
            Path rest = tmp.relativize(stable);
            return rest.toString().isEmpty() ? "${java.io.tmpdir}" : "${java.io.tmpdir}/" + rest;
        }
        return stable.toString();
    }

    /**
     * A name a program generated rather than chose: a run of five or more digits (a timestamp, a
     * port and a counter, a random long), or of eight or more hexadecimal characters mixing digits
     * and letters (a UUID, a hash), or mktemp's mixed-case letters and digits.
     */
    static boolean looksGenerated(String name) {
        int digits = 0;
        int hexRun = 0;
        int hexDigits = 0;
        int hexLetters = 0;
        int alnumRun = 0;
        boolean upper = false;
        boolean lower = false;
        int alnumDigits = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            boolean hexLetter = c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
            boolean letter = Character.isLetter(c) && c < 128;
            digits = digit ? digits + 1 : 0;
            if (digits >= 5) {
                return true;
            }
            if (digit || hexLetter) {
                hexRun++;
                hexDigits += digit ? 1 : 0;
                hexLetters += hexLetter ? 1 : 0;
                if (hexRun >= 8 && hexDigits >= 2 && hexLetters >= 2) {
                    return true;
                }
            } else {
                hexRun = 0;
                hexDigits = 0;
                hexLetters = 0;
            }
            if (digit || letter) {
                alnumRun++;
                alnumDigits += digit ? 1 : 0;
                upper |= c >= 'A' && c <= 'Z';
                lower |= c >= 'a' && c <= 'z';
                if (alnumRun >= 6 && alnumDigits >= 2 && upper && lower) {
                    return true;
                }
            } else {
                alnumRun = 0;
                alnumDigits = 0;
                upper = false;
                lower = false;
            }
        }
        return false;
    }

    /** The rights granted at {@code path}. */
    static long granted(RulesetPlan plan, Path path) {
        return plan.grantedAt(path);
    }

    /** The kernel names of {@code rights}, e.g. "read_file, write_file". */
    static String names(long rights) {
        return AccessFs.names(rights);
    }

    /** Policy access names that cover {@code rights}: the groups where they fit, else kernel names. */
    static String allowList(long rights) {
        StringBuilder b = new StringBuilder();
        long rest = rights;
        if ((rest & AccessNames.READ) != 0) {
            b.append("\"read\"");
            rest &= ~AccessNames.READ;
        }
        long write = AccessNames.WRITE;
        if ((rest & write) != 0) {
            b.append(b.isEmpty() ? "" : ", ").append("\"write\"");
            rest &= ~write;
        }
        for (AccessFs a : AccessFs.of(rest)) {
            b.append(b.isEmpty() ? "" : ", ").append('"').append(a.kernelName()).append('"');
        }
        return "[" + b + "]";
    }
}
