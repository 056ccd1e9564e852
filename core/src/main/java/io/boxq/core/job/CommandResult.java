package io.boxq.core.job;

/**
 * What a command left behind: its exit code (or that it timed out), its output as raw bytes, and
 * whether that output was cut at the cap.
 */
public record CommandResult(
        int exitCode, byte[] stdout, byte[] stderr, boolean stdoutTruncated, boolean stderrTruncated, boolean timedOut) {

    public CommandResult {
        stdout = stdout.clone();
        stderr = stderr.clone();
    }

    @Override
    public byte[] stdout() {
        return stdout.clone();
    }

    @Override
    public byte[] stderr() {
        return stderr.clone();
    }

    public JobState state() {
        return timedOut ? JobState.TIMED_OUT : JobState.ofExit(exitCode);
    }
}
