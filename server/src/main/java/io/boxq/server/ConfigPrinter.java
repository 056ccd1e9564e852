package io.boxq.server;

import io.boxq.core.auth.Secrets;
import io.boxq.core.auth.Tier;
import io.boxq.core.auth.TierLimits;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.config.Sizes;
import io.boxq.core.redis.Redis;

/** The effective configuration as the server prints it at start, secrets masked (like the seed's print_config). */
final class ConfigPrinter {
    private ConfigPrinter() {}

    private static String redis(io.boxq.core.config.RedisConfig r) {
        StringBuilder s = new StringBuilder("Redis:\n");
        if (r.usesSentinel()) {
            s.append("  Sentinels: ").append(String.join(",", r.sentinels())).append("  Master name: ")
                    .append(r.masterName()).append('\n')
                    .append("  Sentinel password: ").append(r.sentinelPassword() == null ? "(none)" : "***").append('\n');
        } else {
            s.append("  URL: ").append(Redis.redact(r.url())).append('\n');
        }
        if (r.password() != null) {
            s.append("  Password: ***\n");
        }
        s.append("  Prefix: ").append(r.prefix()).append('\n')
                .append("  Acknowledged writes: ").append(r.waitReplicas() == 0 ? "off (WAIT 0)"
                        : "WAIT " + r.waitReplicas() + " replica(s), " + r.waitTimeout().toMillis() + " ms")
                .append('\n');
        return s.toString();
    }

    static String describe(BoxqConfig c) {
        StringBuilder s = new StringBuilder();
        String line = "=".repeat(60) + "\n";
        s.append(line).append("boxq configuration\n").append(line);
        s.append("Server:\n")
                .append("  Listen: ").append(c.server().host()).append(':').append(c.server().port()).append('\n')
                .append("  Roles: ").append(c.server().roles()).append('\n')
                .append("  Worker ID: ").append(c.server().workerId()).append('\n')
                .append("  Admin key: ").append(Secrets.mask(c.server().adminKey())).append('\n')
                .append("  Debug: ").append(c.server().debug()).append("  Log level: ").append(c.server().logLevel())
                .append("  Log format: ").append(c.server().logFormat()).append('\n');
        s.append(redis(c.redis()));
        s.append("Container pool:\n")
                .append("  Initial size: ").append(c.pool().poolSize()).append('\n')
                .append("  Min size: ").append(c.pool().minPoolSize()).append('\n')
                .append("  Max size: ").append(c.pool().maxPoolSize()).append('\n')
                .append("  Aggressive cleanup: ").append(c.pool().aggressiveCleanup()).append('\n')
                .append("  Idle timeout: ").append(c.pool().idleTimeout().toMinutes()).append(" minutes\n");
        var sb = c.sandbox();
        s.append("Container resources:\n")
                .append("  Docker: ").append(sb.dockerHost()).append('\n')
                .append("  Image: ").append(sb.image()).append("  (allowed: ").append(sb.allowedImages()).append(")\n")
                .append("  Runtime: ").append(sb.runtime()).append("  (allowed: ").append(sb.allowedRuntimes()).append(")\n")
                .append("  CPU quota: ").append(sb.cpuQuotaPercent()).append("%\n")
                .append("  Pids limit: ").append(sb.pidsLimit()).append('\n')
                .append("  Network: ").append(sb.network()).append('\n')
                .append("  User: ").append(sb.user()).append("  Workspace: ").append(sb.workspace()).append('\n')
                .append("  Runner: ").append(c.jobs().runner().name().toLowerCase(java.util.Locale.ROOT)).append('\n');
        s.append("Tiers:\n");
        for (Tier t : Tier.values()) {
            TierLimits l = c.limits(t);
            s.append("  ").append(t.wireName()).append(": ").append(l.maxSandboxes()).append(" sandboxes, ")
                    .append(Sizes.format(l.memoryBytes())).append(" memory, ").append(l.maxLifetime().toHours())
                    .append(" h lifetime, ").append(l.concurrentJobs()).append(" concurrent jobs\n");
        }
        s.append("Timeouts:\n")
                .append("  Session timeout: ").append(c.sandboxLimits().sessionTimeout().toMinutes()).append(" minutes\n")
                .append("  Cleanup interval: ").append(c.sandboxLimits().cleanupInterval().toSeconds()).append(" seconds\n")
                .append("  Ended sandboxes kept: ").append(c.sandboxLimits().endedRetention().toSeconds()).append(" seconds\n")
                .append("  Command timeout: ").append(c.jobs().commandTimeout().toSeconds()).append(" seconds\n")
                .append("  Output limit: ").append(Sizes.format(c.jobs().outputLimitBytes())).append(" per stream\n");
        var w = c.webhooks();
        s.append("Webhooks:\n")
                .append("  Private receivers allowed: ").append(w.allowPrivate())
                .append("  (allowlist: ").append(w.allowlist().isEmpty() ? "none" : w.allowlist()).append(")\n")
                .append("  Retry schedule: ").append(w.retrySchedule().stream().map(d -> d.toSeconds() + "s").toList())
                .append('\n')
                .append("  Timeout: ").append(w.timeout().toSeconds()).append(" seconds; output cut at ")
                .append(w.maxOutputBytes()).append(" bytes\n")
                .append("  Secret rotation window: ").append(w.secretRotationWindow().toSeconds()).append(" seconds\n");
        var m = c.monitor();
        s.append("Resource monitor:\n")
                .append("  Every: ").append(m.resourceInterval().toSeconds()).append(" seconds; history: ")
                .append(m.statsHistoryLength()).append(" samples per sandbox\n")
                .append("  Memory: warn at ").append(m.memoryWarnPercent()).append("%, terminate at ")
                .append(m.memoryKillPercent()).append("%; CPU: warn at ").append(m.cpuWarnPercent())
                .append("% of the quota for ").append(m.cpuWarnSamples()).append(" samples; disk: warn at ")
                .append(m.diskWarnPercent()).append("%\n")
                .append("  Dangling image cleanup: ").append(m.imageCleanupEnabled()
                        ? "every " + m.imageCleanupInterval().toMinutes() + " minutes" : "off").append('\n');
        var snap = c.snapshots();
        s.append("Snapshots:\n  Directory: ").append(snap.dir()).append(snap.shared() ? " (shared by every node)" : " (this node's)")
                .append('\n');
        for (Tier t : Tier.values()) {
            var l = snap.limits(t);
            s.append("  ").append(t.wireName()).append(": ").append(l.maxCount()).append(" snapshots, ")
                    .append(Sizes.format(l.maxBytes())).append(" in all, kept ").append(l.lifetime().toHours()).append(" h\n");
        }
        return s.append(line).toString();
    }
}
