package io.boxq.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boxq.client.jobs.Job;
import io.boxq.client.jobs.JobRequest;
import io.boxq.client.sandboxes.SandboxInfo;
import io.boxq.client.sandboxes.SandboxRequest;
import io.boxq.client.sandboxes.Snapshot;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The records under the wire's names (openapi.json), both ways. */
class WireFormatTest {
    private final ObjectMapper json = BoxqClient.mapper();

    @Test
    void requests_send_runtime_and_snapshot_id_and_leave_out_what_is_not_set() throws Exception {
        assertThat(json.writeValueAsString(SandboxRequest.DEFAULTS.withRuntime("runsc").withSnapshot("snap_1")))
                .isEqualTo("{\"runtime\":\"runsc\",\"snapshot_id\":\"snap_1\"}");
        assertThat(json.writeValueAsString(JobRequest.of("ls").withRuntime("runc")))
                .isEqualTo("{\"command\":\"ls\",\"runtime\":\"runc\"}");
    }

    @Test
    void a_paused_sandbox_a_resumed_job_and_a_snapshot_are_read() throws Exception {
        SandboxInfo sandbox = json.readValue("{\"id\":\"sbx_1\",\"state\":\"paused\",\"runtime\":\"runc\","
                + "\"paused_at\":\"2026-12-07T05:00:00Z\"}", SandboxInfo.class);
        assertThat(sandbox.runtime()).isEqualTo("runc");
        assertThat(sandbox.pausedAt()).isEqualTo(Instant.parse("2026-12-07T05:00:00Z"));

        Job job = json.readValue("{\"id\":\"job_1\",\"state\":\"queued\",\"runtime\":\"runsc\",\"resumed\":true}",
                Job.class);
        assertThat(job.runtime()).isEqualTo("runsc");
        assertThat(job.resumed()).isTrue();

        Snapshot snapshot = json.readValue("{\"id\":\"snap_1\",\"sandbox_id\":\"sbx_1\",\"state\":\"ready\","
                + "\"size_bytes\":4096,\"created_at\":\"2026-12-07T05:00:00Z\",\"expires_at\":\"2026-12-14T05:00:00Z\","
                + "\"image\":\"boxq-sandbox:busybox\",\"runtime\":\"\",\"node\":\"n1\",\"shared\":false,"
                + "\"available\":true,\"skipped\":[\"fifo\"]}", Snapshot.class);
        assertThat(snapshot.sandboxId()).isEqualTo("sbx_1");
        assertThat(snapshot.sizeBytes()).isEqualTo(4096);
        assertThat(snapshot.expiresAt()).isEqualTo(Instant.parse("2026-12-14T05:00:00Z"));
        assertThat(snapshot.available()).isTrue();
        assertThat(snapshot.skipped()).containsExactly("fifo");
    }
}
