package io.boxq.executor.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobSpec;
import io.boxq.core.job.JobState;
import io.boxq.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookPayloadTest {
    private static final Instant QUEUED = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void carries_event_type_id_state_exit_code_timings_and_output() throws Exception {
        JsonNode body = build(job(JobState.FAILED, result(3, "out\n", "err\n", false), null), 1024);

        assertThat(body.get("type").asText()).isEqualTo("job.failed");
        assertThat(body.get("timestamp").asText()).isEqualTo("2026-01-02T03:04:07Z");
        JsonNode data = body.get("data");
        assertThat(data.get("id").asText()).isEqualTo("job_00aa");
        assertThat(data.get("state").asText()).isEqualTo("failed");
        assertThat(data.get("exit_code").asInt()).isEqualTo(3);
        assertThat(data.get("stdout").asText()).isEqualTo("out\n");
        assertThat(data.get("stderr").asText()).isEqualTo("err\n");
        assertThat(data.get("stdout_truncated").asBoolean()).isFalse();
        assertThat(data.get("stdout_bytes").asInt()).isEqualTo(4);
        assertThat(data.get("duration_ms").asLong()).isEqualTo(1000);
        assertThat(data.get("metadata").get("run").asText()).isEqualTo("r1");
        assertThat(data.has("stdout_encoding")).isFalse();
    }

    @Test
    void output_is_cut_to_the_limit_without_splitting_a_utf8_character() throws Exception {
        String text = "ab" + "é".repeat(10); // é is 2 bytes: the cut at 5 would split one
        JsonNode data = build(job(JobState.SUCCEEDED, result(0, text, "", false), null), 5).get("data");

        assertThat(data.get("stdout").asText()).isEqualTo("abé");
        assertThat(data.get("stdout_truncated").asBoolean()).isTrue();
        assertThat(data.get("stdout_bytes").asInt()).isEqualTo(22);
        assertThat(data.get("stderr_truncated").asBoolean()).isFalse();
    }

    @Test
    void output_truncated_at_capture_is_flagged_even_when_it_fits() throws Exception {
        JsonNode data = build(job(JobState.SUCCEEDED, result(0, "x", "", true), null), 100).get("data");
        assertThat(data.get("stdout_truncated").asBoolean()).isTrue();
    }

    @Test
    void binary_output_is_base64_with_its_encoding_named() throws Exception {
        byte[] binary = {(byte) 0xff, 0, (byte) 0xfe, 1};
        Job job = job(JobState.SUCCEEDED, new CommandResult(0, binary, new byte[0], false, false, false), null);
        JsonNode data = build(job, 100).get("data");

        assertThat(data.get("stdout_encoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(data.get("stdout").asText())).isEqualTo(binary);
    }

    @Test
    void an_error_job_has_its_reason_and_no_output() throws Exception {
        JsonNode body = build(job(JobState.ERROR, null, "no container could be started"), 100);

        assertThat(body.get("type").asText()).isEqualTo("job.error");
        assertThat(body.get("data").get("error").asText()).isEqualTo("no container could be started");
        assertThat(body.get("data").has("stdout")).isFalse();
        assertThat(body.get("data").has("exit_code")).isFalse();
    }

    @Test
    void every_terminal_state_has_its_event_type() {
        assertThat(WebhookPayload.eventOf(job(JobState.TIMED_OUT, null, null))).isEqualTo("job.timed_out");
        assertThat(WebhookPayload.eventOf(job(JobState.CANCELLED, null, null))).isEqualTo("job.cancelled");
        assertThat(WebhookPayload.eventOf(job(JobState.SUCCEEDED, null, null))).isEqualTo("job.succeeded");
    }

    private static JsonNode build(Job job, int max) throws Exception {
        return Json.mapper().readTree(new String(WebhookPayload.build(job, max), StandardCharsets.UTF_8));
    }

    private static CommandResult result(int exit, String out, String err, boolean outTruncated) {
        return new CommandResult(exit, out.getBytes(StandardCharsets.UTF_8), err.getBytes(StandardCharsets.UTF_8),
                outTruncated, false, false);
    }

    private static Job job(JobState state, CommandResult result, String error) {
        JobSpec spec = new JobSpec("echo", null, null, Map.of(), null, null, 30, "https://h.example/cb",
                Map.of("run", "r1"), 1, null);
        return new Job("job_00aa", "key_1", 256L << 20, spec, state, "node-1", 1, QUEUED, QUEUED.plusSeconds(1),
                QUEUED.plusSeconds(2), result, error, null, false);
    }
}
