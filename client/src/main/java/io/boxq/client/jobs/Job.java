package io.boxq.client.jobs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * A job as {@code GET /v1/jobs/{id}} shows it. Output that is not UTF-8 comes as base64 with
 * {@code stdoutEncoding}/{@code stderrEncoding} {@code "base64"}: {@link #stdoutBytes()} decodes either.
 * {@code resumed} is true (else null) when its sandbox was paused when it was submitted, so that it
 * was resumed before the job ran.
 */
public record Job(
        String id,
        String state,
        String command,
        String sandboxId,
        String image,
        String runtime,
        Integer exitCode,
        String stdout,
        String stderr,
        String stdoutEncoding,
        String stderrEncoding,
        Boolean stdoutTruncated,
        Boolean stderrTruncated,
        String error,
        Integer attempt,
        String node,
        Map<String, String> metadata,
        Instant queuedAt,
        Instant startedAt,
        Instant finishedAt,
        Long durationMs,
        Long cpuMs,
        Boolean resumed) {

    private static final Set<String> ENDED = Set.of("succeeded", "failed", "timed_out", "cancelled", "error");

    /** True once the job is in one of its end states (it changes no more). */
    public boolean ended() {
        return ENDED.contains(state);
    }

    public boolean succeeded() {
        return "succeeded".equals(state);
    }

    public byte[] stdoutBytes() {
        return bytes(stdout, stdoutEncoding);
    }

    public byte[] stderrBytes() {
        return bytes(stderr, stderrEncoding);
    }

    private static byte[] bytes(String text, String encoding) {
        if (text == null) {
            return new byte[0];
        }
        return "base64".equals(encoding) ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
    }
}
