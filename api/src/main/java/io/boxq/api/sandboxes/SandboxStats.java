package io.boxq.api.sandboxes;

import io.boxq.core.sandbox.ResourceSample;
import java.time.Instant;

/**
 * A sandbox's figures at one moment, as the API shows them. Memory counts what the cgroup counts
 * (the workspace's tmpfs pages included, which the OOM killer sees too); {@code process_memory_bytes}
 * leaves them out. CPU is in % of one core; the quota caps it at {@code cpu_quota_percent}.
 */
public record SandboxStats(
        Instant at,
        long memoryBytes,
        long memoryLimitBytes,
        double memoryPercent,
        long processMemoryBytes,
        long workspaceBytes,
        long workspaceSizeBytes,
        double diskPercent,
        double cpuPercent,
        int cpuQuotaPercent,
        long pids,
        long networkRxBytes,
        long networkTxBytes) {

    static SandboxStats of(ResourceSample s, int cpuQuotaPercent) {
        return new SandboxStats(s.at(), s.memoryBytes(), s.memoryLimitBytes(), s.memoryPercent(),
                s.processMemoryBytes(), s.workspaceBytes(), s.workspaceSizeBytes(), s.diskPercent(),
                Math.round(s.cpuPercent() * 100) / 100.0, cpuQuotaPercent, s.pids(), s.rxBytes(), s.txBytes());
    }
}
