package dev.landlockagent.confine;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which mounts the read-only view makes writable again, from /proc/self/mountinfo alone. */
class ReadOnlyViewTest {
    static final String MOUNTINFO = String.join("\n",
            "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw",
            "24 22 0:22 / /tmp rw,nosuid,nodev shared:3 - tmpfs tmpfs rw",
            "25 22 254:1 / /srv/data rw,relatime shared:4 - ext4 /dev/vdb rw",
            "26 25 254:2 / /srv/data/archive ro,relatime shared:5 - ext4 /dev/vdc ro",
            "27 25 0:23 / /srv/data/cache rw shared:6 - tmpfs tmpfs rw",
            "28 22 0:24 / /mnt/with\\040space rw shared:7 - tmpfs tmpfs rw",
            "29 22 254:3 / /opt/ro ro shared:8 - ext4 /dev/vdd ro");

    private static List<String> steps(String... writable) {
        return ReadOnlyView.steps(java.util.Arrays.stream(writable).map(Path::of).toList(), ReadOnlyView.parse(MOUNTINFO))
                .stream().map(s -> s.what() + " " + s.path()).toList();
    }

    @Test
    void everythingIsReadOnlyFirstThenEachWritablePathIsBoundBackWritable() {
        assertEquals(List.of("read-only /", "bind /srv/data/app", "writable /srv/data/app"), steps("/srv/data/app"));
    }

    @Test
    void mountsBelowAWritablePathStayAsTheyWere() {
        assertEquals(List.of("read-only /", "bind /srv/data", "writable /srv/data", "writable /srv/data/cache"),
                steps("/srv/data"));
    }

    @Test
    void aPathOnAReadOnlyMountStaysReadOnly() {
        assertEquals(List.of("read-only /", "bind /opt/ro/x"), steps("/opt/ro/x"));
    }

    @Test
    void escapedMountPointsAreRead() {
        assertEquals(Path.of("/mnt/with space"), ReadOnlyView.parse(MOUNTINFO).get(6).point());
        assertEquals(List.of("read-only /", "bind /mnt/with space/x", "writable /mnt/with space/x"), steps("/mnt/with space/x"));
    }
}
