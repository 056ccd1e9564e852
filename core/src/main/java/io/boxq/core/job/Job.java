package io.boxq.core.job;

import java.time.Instant;

/**
 * A job as stored: its spec, whose it is, where it is in its life, and its result once it has one.
 *
 * @param memoryBytes the memory limit of the container the job runs in (its key's tier at submit)
 * @param attempt the fencing token of the current attempt (0 before the first start)
 * @param result the command's result, or null until the job ends with one
 * @param error why boxq could not run the job, for state {@code error}
 * @param op for an internal sandbox operation (create, destroy, files, stats), what to do; null for commands
 * @param resumed its sandbox was paused when it was submitted, so its node resumes the sandbox first
 */
public record Job(
        String id,
        String keyId,
        long memoryBytes,
        JobSpec spec,
        JobState state,
        String node,
        int attempt,
        Instant submittedAt,
        Instant startedAt,
        Instant finishedAt,
        CommandResult result,
        String error,
        SandboxOp op,
        boolean resumed) {

    public boolean isOp() {
        return op != null;
    }
}
