package dev.landlockagent.seccomp;

import dev.landlockagent.linux.SockFilter;
import dev.landlockagent.linux.Bpf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a classic-BPF program with named labels. Every conditional jump is emitted as a one-step
 * skip over an unconditional {@code ja}, whose 32-bit offset reaches any label; so no program is
 * limited by the 8-bit offsets of conditional jumps.
 */
final class BpfAssembler {
    private record Insn(int code, int jt, int jf, int k, String target) {
    }

    private final List<Insn> code = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    BpfAssembler label(String name) {
        if (labels.putIfAbsent(name, code.size()) != null) {
            throw new IllegalStateException("label " + name + " defined twice");
        }
        return this;
    }

    /** A = the 32-bit word at {@code offset} of struct seccomp_data. */
    BpfAssembler load(int offset) {
        code.add(new Insn(Bpf.LD | Bpf.W | Bpf.ABS, 0, 0, offset, null));
        return this;
    }

    /** A &= k. */
    BpfAssembler and(int k) {
        code.add(new Insn(Bpf.ALU | Bpf.AND | Bpf.K, 0, 0, k, null));
        return this;
    }

    /** if (A == k) goto target. */
    BpfAssembler ifEqual(int k, String target) {
        code.add(new Insn(Bpf.JMP | Bpf.JEQ | Bpf.K, 0, 1, k, null));
        return jump(target);
    }

    /** if (A != k) goto target. */
    BpfAssembler ifNotEqual(int k, String target) {
        code.add(new Insn(Bpf.JMP | Bpf.JEQ | Bpf.K, 1, 0, k, null));
        return jump(target);
    }

    BpfAssembler jump(String target) {
        code.add(new Insn(Bpf.JMP | Bpf.JA, 0, 0, 0, target));
        return this;
    }

    BpfAssembler ret(int value) {
        code.add(new Insn(Bpf.RET | Bpf.K, 0, 0, value, null));
        return this;
    }

    List<SockFilter> assemble() {
        List<SockFilter> out = new ArrayList<>(code.size());
        for (int i = 0; i < code.size(); i++) {
            Insn insn = code.get(i);
            int k = insn.k();
            if (insn.target() != null) {
                Integer at = labels.get(insn.target());
                if (at == null) {
                    throw new IllegalStateException("undefined label " + insn.target());
                }
                k = at - (i + 1);
                if (k < 0) {
                    throw new IllegalStateException("backward jump to " + insn.target());
                }
            }
            out.add(new SockFilter(insn.code(), insn.jt(), insn.jf(), k));
        }
        if (out.size() > SockFilter.BPF_MAXINSNS) {
            throw new IllegalStateException("the seccomp program has " + out.size()
                    + " instructions; the kernel accepts at most " + SockFilter.BPF_MAXINSNS);
        }
        return out;
    }
}
