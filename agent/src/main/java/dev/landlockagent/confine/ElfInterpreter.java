package dev.landlockagent.confine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The dynamic loader an ELF binary names (its PT_INTERP segment). execve(2) opens it as an
 * executable, so Landlock checks the execute right on it as well as on the binary.
 */
final class ElfInterpreter {
    private static final int PT_INTERP = 3;

    private ElfInterpreter() {
    }

    /** The interpreter of a 64-bit little-endian ELF file, or null when it has none. */
    static Path of(Path binary) throws IOException {
        try (FileChannel ch = FileChannel.open(binary)) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(header, 0) < 64 || header.getInt(0) != 0x464c457f || header.get(4) != 2 || header.get(5) != 1) {
                return null; // not ELF64 little-endian
            }
            long phoff = header.getLong(0x20);
            int phentsize = Short.toUnsignedInt(header.getShort(0x36));
            int phnum = Short.toUnsignedInt(header.getShort(0x38));
            if (phentsize < 56 || phnum > 512) {
                return null;
            }
            ByteBuffer ph = ByteBuffer.allocate(phentsize).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < phnum; i++) {
                ph.clear();
                ch.read(ph, phoff + (long) i * phentsize);
                if (ph.getInt(0) == PT_INTERP) {
                    long offset = ph.getLong(0x08);
                    long size = ph.getLong(0x20);
                    if (size <= 1 || size > 4096) {
                        return null;
                    }
                    ByteBuffer name = ByteBuffer.allocate((int) size);
                    ch.read(name, offset);
                    String s = new String(name.array(), 0, (int) size - 1, StandardCharsets.UTF_8);
                    return Path.of(s);
                }
            }
            return null;
        }
    }
}
