package io.boxq.executor.webhook;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * The body of a job's webhook, in the Standard Webhooks shape {@code {type, timestamp, data}}. Output
 * is cut to the configured size (the full result stays at {@code GET /v1/jobs/{id}}); valid UTF-8 is
 * a string, anything else base64 with {@code *_encoding: "base64"}, as the API shows jobs.
 */
final class WebhookPayload {
    private WebhookPayload() {}

    record Body(String type, Instant timestamp, Data data) {}

    /**
     * @param stdoutTruncated true when this is not all the command wrote (cut at capture or for the webhook)
     * @param stdoutBytes how many bytes of stdout the job kept ({@code GET /v1/jobs/{id}} has them all)
     */
    record Data(
            String id,
            String state,
            Integer exitCode,
            String error,
            String stdout,
            String stdoutEncoding,
            Boolean stdoutTruncated,
            Integer stdoutBytes,
            String stderr,
            String stderrEncoding,
            Boolean stderrTruncated,
            Integer stderrBytes,
            Integer attempt,
            Map<String, String> metadata,
            Instant queuedAt,
            Instant startedAt,
            Instant finishedAt,
            Long durationMs) {}

    static String eventOf(Job job) {
        return "job." + job.state().wireName();
    }

    static byte[] build(Job job, int maxOutputBytes) {
        CommandResult r = job.result();
        Text out = r == null ? Text.NONE : Text.cut(r.stdout(), maxOutputBytes, r.stdoutTruncated());
        Text err = r == null ? Text.NONE : Text.cut(r.stderr(), maxOutputBytes, r.stderrTruncated());
        Data data = new Data(job.id(), job.state().wireName(), r == null ? null : r.exitCode(), job.error(),
                out.text, out.encoding, out.truncated, out.bytes, err.text, err.encoding, err.truncated, err.bytes,
                job.attempt(), job.spec().metadata().isEmpty() ? null : job.spec().metadata(),
                job.submittedAt(), job.startedAt(), job.finishedAt(),
                job.startedAt() != null && job.finishedAt() != null
                        ? Duration.between(job.startedAt(), job.finishedAt()).toMillis() : null);
        return Json.write(new Body(eventOf(job), job.finishedAt(), data)).getBytes(StandardCharsets.UTF_8);
    }

    private record Text(String text, String encoding, Boolean truncated, Integer bytes) {
        static final Text NONE = new Text(null, null, null, null);

        static Text cut(byte[] all, int max, boolean truncatedAlready) {
            byte[] kept = all;
            if (all.length > max) {
                int end = max;
                for (int i = 0; i < 3 && end > 0 && (all[end] & 0xc0) == 0x80; i++) {
                    end--; // do not split a UTF-8 character (at most 3 continuation bytes)
                }
                kept = Arrays.copyOf(all, end);
            }
            try {
                String s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(kept))
                        .toString();
                return new Text(s, null, truncatedAlready || kept.length < all.length, all.length);
            } catch (CharacterCodingException e) {
                return new Text(Base64.getEncoder().encodeToString(kept), "base64",
                        truncatedAlready || kept.length < all.length, all.length);
            }
        }
    }
}
