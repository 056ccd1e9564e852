package io.boxq.core.usage;

import java.util.Map;

/**
 * What one key (or all keys) used on one UTC day.
 *
 * @param jobs jobs that ran to an end on a node that day
 * @param runSeconds wall-clock seconds those jobs ran (start to end; not CPU time)
 * @param sandboxSeconds seconds sandboxes existed that day (counted when a sandbox ends)
 * @param sandboxCpuSeconds CPU seconds measured inside sandboxes by the resource monitor
 */
public record DailyUsage(String date, long jobs, double runSeconds, double sandboxSeconds, double sandboxCpuSeconds) {
    static final String JOBS = "jobs";
    static final String RUN_SECONDS = "run_seconds";
    static final String SANDBOX_SECONDS = "sandbox_seconds";
    static final String SANDBOX_CPU_SECONDS = "sandbox_cpu_seconds";

    static DailyUsage fromHash(String date, Map<String, String> h) {
        return new DailyUsage(date, (long) number(h, JOBS), round(number(h, RUN_SECONDS)),
                round(number(h, SANDBOX_SECONDS)), round(number(h, SANDBOX_CPU_SECONDS)));
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
