package io.boxq.executor.runner;

import io.boxq.core.job.OutputChunk;

/**
 * Told of a command's output while it runs, chunk by chunk, in order of offset within each stream
 * and never past the output limit. Called on the thread that runs the command, so it should be
 * quick; what it throws is the runner's failure, so it should not throw.
 */
@FunctionalInterface
public interface OutputListener {
    void chunk(OutputChunk chunk);
}
