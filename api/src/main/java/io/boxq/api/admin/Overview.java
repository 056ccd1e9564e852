package io.boxq.api.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.redis.RecentJobs;
import io.boxq.core.usage.DailyUsage;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/system/overview}: everything the dashboard shows, in one answer. Memory is in
 * bytes, CPU in % of one core (the quota caps it at {@code settings.cpu_quota_percent}), times are
 * ISO-8601 instants.
 */
public record Overview(Instant generatedAt, Settings settings, List<Node> nodes, Queue queue, Sandboxes sandboxes,
        Jobs jobs, List<Violation> violations) {

    /** What the figures are measured against. */
    public record Settings(int cpuQuotaPercent, long monitorIntervalS, int memoryWarnPercent, int memoryKillPercent,
            int cpuWarnPercent, int diskWarnPercent, int maxTotalSandboxes) {}

    /** A live node: its pool as its last heartbeat reported it; {@code shapes} per shape (image, memory, network). */
    public record Node(String id, Instant heartbeatAt, int available, int allocated, int total, int maxCapacity,
            int busy, int sandboxes, List<JsonNode> shapes) {}

    /** Stream depths (the shared stream and each live node's own) and the keys with waiting or running jobs. */
    public record Queue(List<StreamDepth> streams, long queued, long backlog, long running, List<KeyQueue> keys) {}

    public record StreamDepth(String stream, long depth) {}

    public record KeyQueue(String keyId, String user, String name, String tier, long backlog, long running) {}

    /** Every sandbox with its newest samples (oldest first), for sparklines; {@code latest} is the newest. */
    public record Sandboxes(long total, int max, List<SandboxRow> items) {}

    public record SandboxRow(String id, String keyId, String user, String node, String state, String image,
            long memoryLimitBytes, Instant createdAt, Instant lastActivityAt, Instant expiresAt, String error,
            int violations, Sample latest, List<Sample> history, Instant pausedAt) {}

    /** One monitor sample, reduced to what a sparkline needs. */
    public record Sample(Instant at, long memoryBytes, long memoryLimitBytes, double memoryPercent,
            double cpuPercent, double diskPercent, long pids) {}

    /** Today's totals (UTC), the newest jobs of all keys, and how many of those are in each state. */
    public record Jobs(DailyUsage today, Map<String, Long> recentByState, List<RecentJobs.Summary> recent) {}

    public record Violation(Instant at, String sandboxId, String keyId, String node, String kind, String level,
            double percent, int threshold, String action, String description) {}
}
