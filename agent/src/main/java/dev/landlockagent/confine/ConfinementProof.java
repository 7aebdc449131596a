package dev.landlockagent.confine;

/**
 * What lets the re-executed JVM check that it was born inside the domain ({@link Verification}):
 * which process confined itself, the seccomp canary it installed, and how often it re-executed.
 *
 * @param pid          the process that confined itself (execve keeps the PID)
 * @param canaryOffset the pread64 offset the seccomp filter answers with an error
 * @param generation   how many times this process has re-executed, to stop a loop
 * @param abi          the Landlock ABI the first JVM found
 */
public record ConfinementProof(long pid, long canaryOffset, int generation, int abi) {
}
