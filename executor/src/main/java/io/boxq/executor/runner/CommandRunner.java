package io.boxq.executor.runner;

import io.boxq.core.job.CommandResult;

/**
 * Runs commands in one container. A command that fails is a result, not an exception; only the
 * runner itself failing throws.
 */
public interface CommandRunner extends AutoCloseable {
    /**
     * Runs one command to its end, its timeout, or its cancellation.
     *
     * @throws RunnerFailedException when the runner broke; {@link RunnerFailedException#commandStarted()}
     *     says whether the command may have run
     */
    CommandResult run(RunRequest request);

    /**
     * Makes the container as good as new for the next job of the same key: kills what the last
     * command left running and empties the workspace and {@code /tmp}.
     *
     * @throws RunnerFailedException when that could not be done (the container must then be discarded)
     */
    void reset();

    /** Kills the command that is running now, if any (cancellation). */
    void cancelRunning();

    /** False once the runner is known to be dead. */
    boolean alive();

    @Override
    void close();
}
