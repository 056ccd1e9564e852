package io.boxq.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JobEndTest {
    @Test
    void a_bare_id_carries_no_fields() {
        JobEnd end = JobEnd.parse("job_1");
        assertThat(end.jobId()).isEqualTo("job_1");
        assertThat(end.fields()).isEmpty();
    }

    @Test
    void carried_fields_are_read_by_their_lengths_and_applied_over_the_job_read_before() {
        JobEnd end = JobEnd.parse("job_1\n4:node2:n17:attempt1:25:state9:succeeded6:stdout8:aGkKCg==5:error0:");
        assertThat(end.fields()).containsExactlyInAnyOrderEntriesOf(
                Map.of("node", "n1", "attempt", "2", "state", "succeeded", "stdout", "aGkKCg==", "error", ""));
        assertThat(end.applyTo(Map.of("id", "job_1", "state", "queued", "attempt", "0")))
                .containsEntry("id", "job_1").containsEntry("state", "succeeded").containsEntry("attempt", "2");
    }

    @Test
    void a_malformed_or_cut_message_carries_nothing() {
        for (String m : new String[] {"job_1\n5:state", "job_1\n99:state", "job_1\nx:state", "job_1\n-1:",
                "job_1\n4:node2:n1", "job_1\n5:state9:succeeded4:node", "job_1\n9999999999:a"}) {
            JobEnd end = JobEnd.parse(m);
            assertThat(end.jobId()).isEqualTo("job_1");
            assertThat(end.fields()).as(m).isEmpty();
        }
    }
}
