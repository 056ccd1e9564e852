package io.boxq.core.config;

import java.time.Duration;

/**
 * The resource monitor and the housekeeping around it (docs/architecture.md, "Warm pool and maintenance"): how often each sandbox is
 * sampled, how much history is kept, the thresholds of the seed's violation handling, and how often
 * dangling sandbox images are removed.
 *
 * @param resourceInterval how often every sandbox of a node is sampled
 * @param statsHistoryLength samples kept per sandbox in {@code stats:{sandbox}} (exactly; the oldest go)
 * @param memoryWarnPercent memory use, as % of the sandbox's limit, that is a warning
 * @param memoryKillPercent memory use that is critical: the sandbox is terminated
 * @param cpuWarnPercent CPU use, as % of the sandbox's CPU quota, that is a warning when sustained
 * @param cpuWarnSamples how many samples in a row CPU use must stay at or above {@code cpuWarnPercent}
 * @param diskWarnPercent use of the workspace tmpfs, as % of its size, that is a warning
 * @param imageCleanupInterval how often dangling boxq images are removed; {@link Duration#ZERO} = never
 */
public record MonitorConfig(
        Duration resourceInterval,
        int statsHistoryLength,
        int memoryWarnPercent,
        int memoryKillPercent,
        int cpuWarnPercent,
        int cpuWarnSamples,
        int diskWarnPercent,
        Duration imageCleanupInterval) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
    public static final int DEFAULT_HISTORY_LENGTH = 240;
    public static final int DEFAULT_MEMORY_WARN_PERCENT = 90;
    public static final int DEFAULT_MEMORY_KILL_PERCENT = 95;
    public static final int DEFAULT_CPU_WARN_PERCENT = 90;
    public static final int DEFAULT_CPU_WARN_SAMPLES = 2;
    public static final int DEFAULT_DISK_WARN_PERCENT = 80;
    public static final long DEFAULT_IMAGE_CLEANUP_MINUTES = 60;

    public MonitorConfig {
        if (memoryWarnPercent > memoryKillPercent) {
            throw new IllegalArgumentException("the memory warning must not be above the kill threshold");
        }
    }

    /** The defaults, as an unset environment gives them. */
    public static MonitorConfig defaults() {
        return fromEnv(new EnvReader(java.util.Map.of()));
    }

    public boolean imageCleanupEnabled() {
        return !imageCleanupInterval.isZero();
    }

    static MonitorConfig fromEnv(EnvReader r) {
        int memoryWarn = r.integer("MEMORY_WARN_PERCENT", DEFAULT_MEMORY_WARN_PERCENT, 1, 100);
        int memoryKill = r.integer("MEMORY_KILL_PERCENT", DEFAULT_MEMORY_KILL_PERCENT, 1, 100);
        if (memoryWarn > memoryKill) {
            r.problem("MEMORY_WARN_PERCENT (" + memoryWarn + ") must not exceed MEMORY_KILL_PERCENT (" + memoryKill + ")");
            memoryWarn = memoryKill;
        }
        return new MonitorConfig(
                r.seconds("RESOURCE_MONITOR_INTERVAL_SECONDS", DEFAULT_INTERVAL, 3600),
                r.integer("STATS_HISTORY_LENGTH", DEFAULT_HISTORY_LENGTH, 1, 100_000),
                memoryWarn,
                memoryKill,
                r.integer("CPU_WARN_PERCENT", DEFAULT_CPU_WARN_PERCENT, 1, 100),
                r.integer("CPU_WARN_SAMPLES", DEFAULT_CPU_WARN_SAMPLES, 1, 1000),
                r.integer("DISK_WARN_PERCENT", DEFAULT_DISK_WARN_PERCENT, 1, 100),
                Duration.ofMinutes(r.longValue(new String[] {"IMAGE_CLEANUP_INTERVAL_MINUTES"},
                        DEFAULT_IMAGE_CLEANUP_MINUTES, 0, 525_600)));
    }
}
