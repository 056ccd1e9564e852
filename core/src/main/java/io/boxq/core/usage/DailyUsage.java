package io.boxq.core.usage;

import java.util.Map;

/**
 * What one key (or all keys) used on one UTC day.
 *
 * @param jobs jobs that ran to an end on a node that day
 * @param runSeconds wall-clock seconds those jobs ran (start to end; not CPU time)
 * @param cpuSeconds CPU seconds those jobs' containers used while their commands ran, as each job's
 *     runner measured it (jobs in sandboxes included; jobs whose CPU time is unknown add nothing)
 * @param sandboxSeconds seconds sandboxes existed that day (counted when a sandbox ends)
 * @param sandboxCpuSeconds CPU seconds measured inside sandboxes by the resource monitor: everything
 *     that ran in them, their jobs too, so it overlaps {@code cpuSeconds} and the two do not add up
 * @param pausedSeconds the part of {@code sandboxSeconds} that sandboxes spent paused (counted when
 *     a pause ends: on resume, or when the sandbox ends paused)
 */
public record DailyUsage(
        String date, long jobs, double runSeconds, double cpuSeconds, double sandboxSeconds, double sandboxCpuSeconds,
        double pausedSeconds) {
    static final String JOBS = "jobs";
    static final String RUN_SECONDS = "run_seconds";
    static final String CPU_SECONDS = "cpu_seconds";
    static final String SANDBOX_SECONDS = "sandbox_seconds";
    static final String SANDBOX_CPU_SECONDS = "sandbox_cpu_seconds";
    static final String PAUSED_SECONDS = "paused_seconds";

    static DailyUsage fromHash(String date, Map<String, String> h) {
        return new DailyUsage(date, (long) number(h, JOBS), round(number(h, RUN_SECONDS)), round(number(h, CPU_SECONDS)),
                round(number(h, SANDBOX_SECONDS)), round(number(h, SANDBOX_CPU_SECONDS)), round(number(h, PAUSED_SECONDS)));
    }

    private static double number(Map<String, String> h, String field) {
        try {
            return Double.parseDouble(h.getOrDefault(field, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
