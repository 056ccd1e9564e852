package io.boxq.executor.runner;

import io.boxq.core.job.CommandResult;
import java.util.Map;

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

    /**
     * Reads a file of the workspace, refusing to leave it through symlinks.
     *
     * @return exit 0 with at most {@code maxBytes} bytes on stdout (truncated when the file is
     *     larger), or a {@link io.boxq.core.job.FileExit} code (no such file, the path leaves the
     *     workspace or is a symlink, it is a directory) with the reason on stderr
     * @throws RunnerFailedException when the runner broke
     */
    default CommandResult readFile(String workspace, String path, int maxBytes) {
        return run(new RunRequest(ScriptedOps.READ_FILE, "/bin/sh", Map.of("BOXQ_WORKSPACE", workspace, "BOXQ_PATH", path),
                workspace, new byte[0], ScriptedOps.TIMEOUT, maxBytes));
    }

    /**
     * Writes a file of the workspace (making its directories), refusing to leave it through
     * symlinks; exit codes as {@link #readFile}, with {@code NOT_FOUND} for a directory that cannot be made.
     */
    default CommandResult writeFile(String workspace, String path, byte[] content) {
        return run(new RunRequest(ScriptedOps.WRITE_FILE, "/bin/sh", Map.of("BOXQ_WORKSPACE", workspace, "BOXQ_PATH", path),
                workspace, content, ScriptedOps.TIMEOUT, 64 * 1024));
    }

    /** The container's figures as {@code key=value} lines on stdout (see {@code ResourceSample}). */
    default CommandResult stats(String workspace) {
        return run(new RunRequest(ScriptedOps.STATS, "/bin/sh", Map.of("BOXQ_WORKSPACE", workspace), workspace,
                new byte[0], ScriptedOps.TIMEOUT, 64 * 1024));
    }

    /** Kills the command that is running now, if any (cancellation). */
    void cancelRunning();

    /** False once the runner is known to be dead. */
    boolean alive();

    @Override
    void close();
}
