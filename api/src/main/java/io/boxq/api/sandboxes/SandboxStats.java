package io.boxq.api.sandboxes;

import java.util.HashMap;
import java.util.Map;

/** A sandbox's figures now, from the key=value lines its stats operation printed. */
public record SandboxStats(
        String sandboxId,
        long memoryBytes,
        long memoryLimitBytes,
        double memoryPercent,
        long processMemoryBytes,
        long workspaceBytes,
        double cpuPercent,
        int cpuQuotaPercent,
        long pids,
        long networkRxBytes,
        long networkTxBytes) {

    static SandboxStats parse(String sandboxId, String text, int cpuQuotaPercent) {
        Map<String, String> f = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                f.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        long memory = number(f, "memory_bytes");
        long limit = number(f, "memory_limit_bytes");
        return new SandboxStats(sandboxId, memory, limit, limit > 0 ? round(100.0 * memory / limit) : 0,
                Math.max(0, memory - number(f, "shmem_bytes")), number(f, "workspace_bytes"),
                round(decimal(f, "cpu_percent")), cpuQuotaPercent, number(f, "pids"), number(f, "rx_bytes"),
                number(f, "tx_bytes"));
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
