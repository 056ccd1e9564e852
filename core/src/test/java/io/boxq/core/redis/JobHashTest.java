package io.boxq.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobSpec;
import io.boxq.core.job.JobState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobHashTest {

    @Test
    void a_short_command_is_its_own_preview() {
        assertThat(JobHash.preview("echo hi")).isEqualTo("echo hi");
        assertThat(JobHash.preview("x".repeat(JobHash.PREVIEW_CHARS))).hasSize(JobHash.PREVIEW_CHARS);
    }

    @Test
    void a_long_command_is_cut_with_an_ellipsis() {
        String preview = JobHash.preview("y".repeat(10_000));
        assertThat(preview).hasSize(JobHash.PREVIEW_CHARS + 1).endsWith("…").startsWith("yyy");
    }

    @Test
    void the_cut_never_splits_a_surrogate_pair() {
        String command = "a".repeat(JobHash.PREVIEW_CHARS - 1) + "😀" + "tail";
        String preview = JobHash.preview(command);
        assertThat(preview).isEqualTo("a".repeat(JobHash.PREVIEW_CHARS - 1) + "…");
        assertThat(preview.chars().noneMatch(c -> Character.isSurrogate((char) c))).isTrue();
    }

    @Test
    void a_results_cpu_time_is_stored_with_it_and_an_unknown_one_stays_unknown() {
        CommandResult measured = new CommandResult(0, new byte[] {'a'}, new byte[0], false, false, false, 1_234_567L);
        CommandResult unmeasured = new CommandResult(1, new byte[0], new byte[0], false, false, true);

        assertThat(storedAndRead(measured).result().cpuMicros()).isEqualTo(1_234_567L);
        assertThat(storedAndRead(unmeasured).result().cpuMicros()).isNull();
        assertThat(storedAndRead(unmeasured).result().timedOut()).isTrue();
    }

    @Test
    void a_job_that_resumes_its_paused_sandbox_says_so_on_every_read() {
        Map<String, String> resuming = new HashMap<>();
        putAll(resuming, JobHash.newJobFields("job_1", "k1", 1 << 20, JobSpec.of("true", 5), "jobs", 1000, 1, true));
        assertThat(JobHash.read(resuming).resumed()).isTrue();
        assertThat(storedAndRead(new CommandResult(0, new byte[0], new byte[0], false, false, false)).resumed()).isFalse();
    }

    private static Job storedAndRead(CommandResult result) {
        Map<String, String> h = new HashMap<>();
        putAll(h, JobHash.newJobFields("job_1", "k1", 1 << 20, JobSpec.of("true", 5), "jobs", 1000, 1, false));
        putAll(h, JobHash.resultFields(result.state(), result, null, 2000));
        return JobHash.read(h);
    }

    private static void putAll(Map<String, String> h, List<String> fieldsAndValues) {
        for (int i = 0; i < fieldsAndValues.size(); i += 2) {
            h.put(fieldsAndValues.get(i), fieldsAndValues.get(i + 1));
        }
    }
}
