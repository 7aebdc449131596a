package dev.landlockagent.seccomp;

import dev.landlockagent.linux.SockFilter;
import dev.landlockagent.linux.Bpf;
import java.util.List;

/** Runs a classic-BPF seccomp program in Java, as the kernel would, for tests. */
final class BpfInterpreter {
    private BpfInterpreter() {
    }

    /** struct seccomp_data as test input. */
    record Data(int nr, int arch, long... args) {
        int word(int offset) {
            if (offset == Bpf.DATA_NR) {
                return nr;
            }
            if (offset == Bpf.DATA_ARCH) {
                return arch;
            }
            if (offset >= 16 && offset < 64) {
                int index = (offset - 16) / 8;
                long arg = index < args.length ? args[index] : 0;
                return (offset - 16) % 8 == 0 ? (int) arg : (int) (arg >>> 32);
            }
            throw new IllegalArgumentException("load from offset " + offset);
        }
    }

    static int run(List<SockFilter> program, Data data) {
        int a = 0;
        int pc = 0;
        int steps = 0;
        while (true) {
            if (pc >= program.size() || steps++ > 100_000) {
                throw new IllegalStateException("ran off the program at " + pc);
            }
            SockFilter f = program.get(pc);
            int cls = f.code() & 0x07;
            switch (cls) {
                case Bpf.LD -> {
                    if (f.code() != (Bpf.LD | Bpf.W | Bpf.ABS)) {
                        throw new IllegalStateException("unsupported load " + f);
                    }
                    a = data.word(f.k());
                    pc++;
                }
                case Bpf.ALU -> {
                    if (f.code() != (Bpf.ALU | Bpf.AND | Bpf.K)) {
                        throw new IllegalStateException("unsupported alu " + f);
                    }
                    a &= f.k();
                    pc++;
                }
                case Bpf.JMP -> {
                    int op = f.code() & 0xF0;
                    if (op == Bpf.JA) {
                        pc += 1 + f.k();
                    } else {
                        boolean taken = switch (op) {
                            case Bpf.JEQ -> a == f.k();
                            case Bpf.JGE -> Integer.compareUnsigned(a, f.k()) >= 0;
                            case Bpf.JSET -> (a & f.k()) != 0;
                            default -> throw new IllegalStateException("unsupported jump " + f);
                        };
                        pc += 1 + (taken ? f.jt() : f.jf());
                    }
                }
                case Bpf.RET -> {
                    return f.k();
                }
                default -> throw new IllegalStateException("unsupported instruction " + f);
            }
        }
    }
}
