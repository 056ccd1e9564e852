package io.boxq.core.sandbox;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One sample of a sandbox's resources, as its stats script prints them (key=value lines from the
 * container's own cgroup and {@code /proc}) and as the {@code stats:{sandbox}} stream keeps them.
 *
 * <p>{@code memoryBytes} is what the cgroup counts, tmpfs pages of the workspace included: it is
 * what the OOM killer sees, so the memory thresholds are judged on it.
 *
 * @param cpuPercent CPU use in % of one core since the previous sample (the quota caps it)
 * @param cpuNanos cumulative CPU time of the container
 */
public record ResourceSample(
        Instant at,
        long memoryBytes,
        long memoryLimitBytes,
        long shmemBytes,
        long workspaceBytes,
        long workspaceSizeBytes,
        double cpuPercent,
        long cpuNanos,
        long pids,
        long rxBytes,
        long txBytes) {

    /** Reads the script's output; unknown or missing figures are 0. */
    public static ResourceSample parse(String text, Instant at) {
        Map<String, String> f = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                f.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return of(f, at);
    }

    /** Reads an entry of the stats stream (see {@link #toFields()}). */
    public static ResourceSample fromFields(Map<String, String> f) {
        return of(f, Instant.ofEpochMilli(number(f, "at")));
    }

    private static ResourceSample of(Map<String, String> f, Instant at) {
        return new ResourceSample(at, number(f, "memory_bytes"), number(f, "memory_limit_bytes"),
                number(f, "shmem_bytes"), number(f, "workspace_bytes"), number(f, "workspace_size_bytes"),
                decimal(f, "cpu_percent"), number(f, "cpu_ns"), number(f, "pids"), number(f, "rx_bytes"),
                number(f, "tx_bytes"));
    }

    /** Memory in use as % of the limit (0 when the limit is unknown). */
    public double memoryPercent() {
        return memoryLimitBytes > 0 ? round(100.0 * memoryBytes / memoryLimitBytes) : 0;
    }

    /** Memory of the processes alone: the cgroup's figure without tmpfs (shared memory) pages. */
    public long processMemoryBytes() {
        return Math.max(0, memoryBytes - shmemBytes);
    }

    /** Use of the workspace tmpfs as % of its size (0 when the size is unknown). */
    public double diskPercent() {
        return workspaceSizeBytes > 0 ? round(100.0 * workspaceBytes / workspaceSizeBytes) : 0;
    }

    /** CPU use as % of the container's quota ({@code CPU_QUOTA_PERCENT} of one core). */
    public double cpuOfQuotaPercent(int cpuQuotaPercent) {
        return cpuQuotaPercent > 0 ? round(100.0 * cpuPercent / cpuQuotaPercent) : 0;
    }

    /** The fields of a stats stream entry. */
    public Map<String, String> toFields() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("at", Long.toString(at.toEpochMilli()));
        f.put("memory_bytes", Long.toString(memoryBytes));
        f.put("memory_limit_bytes", Long.toString(memoryLimitBytes));
        f.put("shmem_bytes", Long.toString(shmemBytes));
        f.put("workspace_bytes", Long.toString(workspaceBytes));
        f.put("workspace_size_bytes", Long.toString(workspaceSizeBytes));
        f.put("cpu_percent", String.format(Locale.ROOT, "%.2f", cpuPercent));
        f.put("cpu_ns", Long.toString(cpuNanos));
        f.put("pids", Long.toString(pids));
        f.put("rx_bytes", Long.toString(rxBytes));
        f.put("tx_bytes", Long.toString(txBytes));
        return f;
    }

    private static long number(Map<String, String> f, String name) {
        try {
            return (long) Double.parseDouble(f.getOrDefault(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double decimal(Map<String, String> f, String name) {
        try {
            return Double.parseDouble(f.getOrDefault(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
