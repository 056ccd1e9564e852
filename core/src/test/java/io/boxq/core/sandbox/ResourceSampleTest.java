package io.boxq.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.json.Json;
import io.boxq.core.sandbox.ResourceViolation.Kind;
import io.boxq.core.sandbox.ResourceViolation.Level;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceSampleTest {
    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");
    private static final String SCRIPT_OUTPUT = """
            memory_bytes=251658240
            memory_limit_bytes=268435456
            shmem_bytes=104857600
            cpu_ns=1500000000
            pids=7
            workspace_bytes=107374182
            workspace_size_bytes=134217728
            rx_bytes=0
            tx_bytes=0
            cpu_percent=23.40
            """;

    @Test
    void the_stats_scripts_lines_give_the_percentages_the_thresholds_are_judged_on() {
        ResourceSample s = ResourceSample.parse(SCRIPT_OUTPUT, AT);

        assertThat(s.memoryPercent()).isEqualTo(93.75);
        assertThat(s.processMemoryBytes()).as("without the tmpfs pages").isEqualTo(251658240L - 104857600L);
        assertThat(s.diskPercent()).isEqualTo(80.0);
        assertThat(s.cpuOfQuotaPercent(25)).isEqualTo(93.6);
        assertThat(s.pids()).isEqualTo(7);
        assertThat(s.cpuNanos()).isEqualTo(1_500_000_000L);
    }

    @Test
    void missing_or_garbled_figures_are_zero_and_unknown_limits_give_zero_percent() {
        ResourceSample s = ResourceSample.parse("memory_bytes=12\nmemory_limit_bytes=\npids=x\n", AT);

        assertThat(s.memoryBytes()).isEqualTo(12);
        assertThat(s.memoryPercent()).isZero();
        assertThat(s.diskPercent()).isZero();
        assertThat(s.pids()).isZero();
    }

    @Test
    void a_sample_comes_back_unchanged_from_its_stream_entry() {
        ResourceSample s = ResourceSample.parse(SCRIPT_OUTPUT, AT);

        assertThat(ResourceSample.fromFields(s.toFields())).isEqualTo(s);
    }

    @Test
    void violations_read_back_from_the_sandbox_record_with_lower_case_names() {
        List<ResourceViolation> list = List.of(new ResourceViolation(AT, Kind.MEMORY, Level.WARNING, 91.5, 90, "recorded"));
        String json = Json.write(list);

        assertThat(json).contains("\"kind\":\"memory\"", "\"level\":\"warning\"");
        assertThat(RedisSandboxStore.fromHash(java.util.Map.of("id", "sbx_1", "violations", json)).violations())
                .isEqualTo(list);
        assertThat(list.get(0).describe()).isEqualTo("memory at 91.5% of its memory limit (warning at 90%)");
    }
}
