package io.boxq.executor.runner;

import java.time.Duration;
import java.util.Map;

/**
 * One command for a runner: run {@code command} under {@code shell -c} in {@code workdir} with
 * {@code env} added, feed it {@code stdin}, stop it at {@code timeout}, keep at most
 * {@code outputLimit} bytes of each stream. With a {@code live} listener, a runner that can (the
 * shell runner) also reports the output while the command runs; null: only the result.
 */
public record RunRequest(
        String command, String shell, Map<String, String> env, String workdir, byte[] stdin, Duration timeout,
        int outputLimit, OutputListener live) {

    public RunRequest {
        env = Map.copyOf(env);
        stdin = stdin.clone();
    }

    /** A request whose output is only wanted at the end. */
    public RunRequest(String command, String shell, Map<String, String> env, String workdir, byte[] stdin,
            Duration timeout, int outputLimit) {
        this(command, shell, env, workdir, stdin, timeout, outputLimit, null);
    }

    /** This request, with its output reported to {@code listener} while the command runs. */
    public RunRequest withLive(OutputListener listener) {
        return new RunRequest(command, shell, env, workdir, stdin, timeout, outputLimit, listener);
    }

    @Override
    public byte[] stdin() {
        return stdin.clone();
    }
}
