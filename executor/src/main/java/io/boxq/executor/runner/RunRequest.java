package io.boxq.executor.runner;

import java.time.Duration;
import java.util.Map;

/**
 * One command for a runner: run {@code command} under {@code shell -c} in {@code workdir} with
 * {@code env} added, feed it {@code stdin}, stop it at {@code timeout}, keep at most
 * {@code outputLimit} bytes of each stream.
 */
public record RunRequest(
        String command, String shell, Map<String, String> env, String workdir, byte[] stdin, Duration timeout,
        int outputLimit) {

    public RunRequest {
        env = Map.copyOf(env);
        stdin = stdin.clone();
    }

    @Override
    public byte[] stdin() {
        return stdin.clone();
    }
}
