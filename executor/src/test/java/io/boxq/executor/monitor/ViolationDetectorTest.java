package io.boxq.executor.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.config.MonitorConfig;
import io.boxq.core.sandbox.ResourceSample;
import io.boxq.core.sandbox.ResourceViolation;
import io.boxq.core.sandbox.ResourceViolation.Kind;
import io.boxq.core.sandbox.ResourceViolation.Level;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seed's thresholds with the default configuration: memory 90/95 %, CPU 90 % for 2 samples, disk 80 %. */
class ViolationDetectorTest {
    private static final long LIMIT = 256L << 20;
    private static final long WORKSPACE = 128L << 20;
    private static final int QUOTA = 25;

    private final ViolationDetector detector = new ViolationDetector(MonitorConfig.defaults(), QUOTA);

    @Test
    void below_every_threshold_nothing_is_reported() {
        assertThat(check("a", sample(89.9, 22.4, 79.9))).isEmpty();
    }

    @Test
    void memory_at_95_percent_is_critical_and_terminates_whatever_else_is_high() {
        List<ResourceViolation> found = check("a", sample(95.0, 25, 100));

        assertThat(found).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(Kind.MEMORY);
            assertThat(v.level()).isEqualTo(Level.CRITICAL);
            assertThat(v.threshold()).isEqualTo(95);
            assertThat(v.action()).isEqualTo(ViolationDetector.TERMINATED);
        });
    }

    @Test
    void memory_at_90_percent_warns_once_until_it_falls_below_again() {
        assertThat(check("a", sample(90.0, 0, 0))).extracting(ResourceViolation::kind, ResourceViolation::level)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.MEMORY, Level.WARNING));
        assertThat(check("a", sample(93.0, 0, 0))).as("still high: no second warning").isEmpty();
        assertThat(check("a", sample(50.0, 0, 0))).isEmpty();
        assertThat(check("a", sample(91.0, 0, 0))).as("high again").hasSize(1);
    }

    @Test
    void cpu_warns_only_when_sustained_for_two_samples_in_a_row_of_the_quota() {
        assertThat(check("a", sample(10, 23, 0))).as("92 % of the 25 % quota, once").isEmpty();
        assertThat(check("a", sample(10, 5, 0))).as("the run is broken").isEmpty();
        assertThat(check("a", sample(10, 23, 0))).isEmpty();
        assertThat(check("a", sample(10, 24, 0))).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(Kind.CPU);
            assertThat(v.percent()).isEqualTo(96.0);
            assertThat(v.action()).isEqualTo(ViolationDetector.RECORDED);
        });
        assertThat(check("a", sample(10, 25, 0))).as("sustained further: already warned").isEmpty();
    }

    @Test
    void disk_at_80_percent_of_the_workspace_warns() {
        assertThat(check("a", sample(40, 0, 80.0))).singleElement()
                .extracting(ResourceViolation::kind, ResourceViolation::level)
                .containsExactly(Kind.DISK, Level.WARNING);
    }

    @Test
    void sandboxes_are_judged_apart_and_forgotten_when_they_end() {
        check("a", sample(92, 0, 0));
        assertThat(check("b", sample(92, 0, 0))).as("b's first warning").hasSize(1);

        detector.retainOnly(Set.of("b"));

        assertThat(check("a", sample(92, 0, 0))).as("a started afresh").hasSize(1);
        assertThat(check("b", sample(92, 0, 0))).isEmpty();
    }

    @Test
    void the_thresholds_follow_the_configuration() {
        ViolationDetector strict = new ViolationDetector(
                new MonitorConfig(java.time.Duration.ofSeconds(15), 10, 50, 60, 50, 1, 10, java.time.Duration.ZERO), 50);

        assertThat(strict.check("a", sample(55, 30, 20))).extracting(ResourceViolation::kind)
                .containsExactly(Kind.MEMORY, Kind.CPU, Kind.DISK);
        assertThat(strict.check("b", sample(60, 0, 0))).extracting(ResourceViolation::level)
                .containsExactly(Level.CRITICAL);
    }

    private List<ResourceViolation> check(String sandbox, ResourceSample s) {
        return detector.check(sandbox, s);
    }

    /** A sample at these percentages: memory of its limit, CPU of one core, disk of the workspace. */
    private static ResourceSample sample(double memoryPercent, double cpuPercentOfCore, double diskPercent) {
        return new ResourceSample(Instant.parse("2026-03-01T10:00:00Z"), (long) (LIMIT * memoryPercent / 100), LIMIT,
                0, (long) (WORKSPACE * diskPercent / 100), WORKSPACE, cpuPercentOfCore, 0, 3, 0, 0);
    }
}
