package io.boxq.api.jobs;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * A job as the API shows it. Output that is valid UTF-8 is a string; anything else is base64 with
 * {@code stdout_encoding}/{@code stderr_encoding} set to {@code base64}, so no byte is lost.
 * {@code cpu_ms} is the CPU time its container used while the command ran, when the runner measured it.
 * {@code resumed} says its sandbox was paused when it was submitted, so its node resumed it first.
 */
public record JobView(
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
        int attempt,
        String node,
        Map<String, String> metadata,
        Instant queuedAt,
        Instant startedAt,
        Instant finishedAt,
        Long durationMs,
        Long cpuMs,
        Boolean resumed) {

    public static JobView of(Job job) {
        CommandResult r = job.result();
        String[] out = r == null ? new String[2] : text(r.stdout());
        String[] err = r == null ? new String[2] : text(r.stderr());
        return new JobView(job.id(), job.state().wireName(), job.spec().command(), job.spec().sandboxId(),
                job.spec().image(), job.spec().runtime(), r == null ? null : r.exitCode(), out[0], err[0], out[1], err[1],
                r == null ? null : r.stdoutTruncated(), r == null ? null : r.stderrTruncated(), job.error(),
                job.attempt(), job.node(), job.spec().metadata().isEmpty() ? null : job.spec().metadata(),
                job.submittedAt(), job.startedAt(), job.finishedAt(),
                job.startedAt() != null && job.finishedAt() != null
                        ? Duration.between(job.startedAt(), job.finishedAt()).toMillis() : null,
                r == null || r.cpuMicros() == null ? null : Math.round(r.cpuMicros() / 1000.0),
                job.resumed() ? Boolean.TRUE : null);
    }

    /** {text, encoding}: encoding null for UTF-8 text, "base64" otherwise. */
    public static String[] text(byte[] bytes) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return new String[] {s, null};
        } catch (CharacterCodingException e) {
            return new String[] {Base64.getEncoder().encodeToString(bytes), "base64"};
        }
    }
}
