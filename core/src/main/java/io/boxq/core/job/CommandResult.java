package io.boxq.core.job;

/**
 * What a command left behind: its exit code (or that it timed out), its output as raw bytes,
 * whether that output was cut at the cap, and the CPU time its container used while it ran.
 *
 * @param cpuMicros CPU time of every process of the container while the command ran (the command,
 *     what it left in the background, the runner's own work for it), in microseconds; null when the
 *     runner could not measure it (the {@code exec} runner, a cgroup the container cannot read)
 */
public record CommandResult(
        int exitCode,
        byte[] stdout,
        byte[] stderr,
        boolean stdoutTruncated,
        boolean stderrTruncated,
        boolean timedOut,
        Long cpuMicros) {

    public CommandResult {
        stdout = stdout.clone();
        stderr = stderr.clone();
        if (cpuMicros != null && cpuMicros < 0) {
            throw new IllegalArgumentException("negative CPU time: " + cpuMicros);
        }
    }

    /** A result whose CPU time is not known. */
    public CommandResult(
            int exitCode, byte[] stdout, byte[] stderr, boolean stdoutTruncated, boolean stderrTruncated, boolean timedOut) {
        this(exitCode, stdout, stderr, stdoutTruncated, stderrTruncated, timedOut, null);
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
