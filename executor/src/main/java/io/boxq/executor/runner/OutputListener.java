package io.boxq.executor.runner;

import io.boxq.core.job.OutputChunk;

/**
 * Told of a command's output while it runs, chunk by chunk, in order of offset within each stream
 * and never past the output limit. Called on the thread that runs the command, so it should be
 * quick, and it must not throw: an exception leaves the answer half read and the runner unusable.
 */
@FunctionalInterface
public interface OutputListener {
    void chunk(OutputChunk chunk);
}
