package io.boxq.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MonitorConfigTest {

    @Test
    void defaults_are_the_seeds_thresholds() {
        MonitorConfig m = BoxqConfig.fromEnv(Map.of()).monitor();

        assertThat(m.resourceInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(m.statsHistoryLength()).isEqualTo(240);
        assertThat(m.memoryWarnPercent()).isEqualTo(90);
        assertThat(m.memoryKillPercent()).isEqualTo(95);
        assertThat(m.cpuWarnPercent()).isEqualTo(90);
        assertThat(m.cpuWarnSamples()).isEqualTo(2);
        assertThat(m.diskWarnPercent()).isEqualTo(80);
        assertThat(m.imageCleanupInterval()).isEqualTo(Duration.ofMinutes(60));
        assertThat(m.imageCleanupEnabled()).isTrue();
    }

    @Test
    void every_threshold_and_interval_is_configurable() {
        MonitorConfig m = BoxqConfig.fromEnv(Map.of("RESOURCE_MONITOR_INTERVAL_SECONDS", "5",
                "STATS_HISTORY_LENGTH", "3", "MEMORY_WARN_PERCENT", "70", "MEMORY_KILL_PERCENT", "80",
                "CPU_WARN_PERCENT", "50", "CPU_WARN_SAMPLES", "4", "DISK_WARN_PERCENT", "60",
                "IMAGE_CLEANUP_INTERVAL_MINUTES", "0")).monitor();

        assertThat(m).isEqualTo(new MonitorConfig(Duration.ofSeconds(5), 3, 70, 80, 50, 4, 60, Duration.ZERO));
        assertThat(m.imageCleanupEnabled()).as("0 turns the image cleanup off").isFalse();
    }

    @Test
    void a_warning_above_the_kill_threshold_and_out_of_range_percentages_are_refused_together() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> BoxqConfig.fromEnv(Map.of(
                "MEMORY_WARN_PERCENT", "97", "DISK_WARN_PERCENT", "101", "STATS_HISTORY_LENGTH", "0",
                "LOG_FORMAT", "yaml")));

        assertThat(e.getMessage()).contains("MEMORY_WARN_PERCENT (97) must not exceed MEMORY_KILL_PERCENT (95)",
                "DISK_WARN_PERCENT=101", "STATS_HISTORY_LENGTH=0", "LOG_FORMAT=yaml");
    }
}
