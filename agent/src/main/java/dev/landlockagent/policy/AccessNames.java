package dev.landlockagent.policy;

import dev.landlockagent.landlock.AccessFs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The access names a {@code filesystem} rule may use: three groups and every Landlock right. */
public final class AccessNames {
    private AccessNames() {
    }

    public static final long READ = AccessFs.READ_FILE.mask() | AccessFs.READ_DIR.mask();
    public static final long WRITE = AccessFs.WRITE_FILE.mask() | AccessFs.TRUNCATE.mask()
            | AccessFs.MAKE_CHAR.mask() | AccessFs.MAKE_DIR.mask() | AccessFs.MAKE_REG.mask()
            | AccessFs.MAKE_SOCK.mask() | AccessFs.MAKE_FIFO.mask() | AccessFs.MAKE_BLOCK.mask()
            | AccessFs.MAKE_SYM.mask() | AccessFs.REMOVE_DIR.mask() | AccessFs.REMOVE_FILE.mask()
            | AccessFs.REFER.mask();
    public static final long EXECUTE = AccessFs.EXECUTE.mask();

    /** Group name to rights. */
    public static final Map<String, Long> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put("read", READ);
        GROUPS.put("write", WRITE);
        GROUPS.put("execute", EXECUTE);
    }

    public static boolean isGroup(String name) {
        return GROUPS.containsKey(name);
    }

    /** Every name a rule may use, groups first. */
    public static List<String> all() {
        List<String> names = new ArrayList<>(GROUPS.keySet());
        for (AccessFs a : AccessFs.values()) {
            if (!names.contains(a.kernelName())) {
                names.add(a.kernelName());
            }
        }
        return names;
    }

    /** The rights a name stands for, or -1 when it is unknown. */
    public static long rights(String name) {
        Long group = GROUPS.get(name);
        if (group != null) {
            return group;
        }
        AccessFs a = AccessFs.byKernelName(name);
        return a == null ? -1 : a.mask();
    }

    /** A rule's {@code allow} list of exactly {@code rights}, by their kernel names: {@code ["make_reg", "write_file"]}. */
    public static String exactList(long rights) {
        StringBuilder b = new StringBuilder("[");
        for (AccessFs a : AccessFs.of(rights)) {
            b.append(b.length() == 1 ? "" : ", ").append('"').append(a.kernelName()).append('"');
        }
        return b.append(']').toString();
    }
}
