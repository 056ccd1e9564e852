package io.boxq.api.admin;

import io.boxq.api.auth.Authenticator;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.audit.AuditLog;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.RedisApiKeyStore;
import io.boxq.core.auth.TierLimits;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.config.SnapshotConfig;
import io.boxq.core.id.RandomIds;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisJobCounts;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.snapshot.RedisSnapshotStore;
import io.boxq.core.usage.RedisUsage;
import java.time.Clock;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/quota/usage} for every key; admin: {@code /v1/system/stats}, {@code /v1/system/cleanup}
 * and {@code /v1/audit}.
 */
public final class SystemRoutes {
    private static final Duration CLEANUP_WAIT = Duration.ofSeconds(10);
    /** Days of usage history in the answers: today and the six before. */
    static final int HISTORY_DAYS = 7;

    private final BoxqConfig config;
    private final Redis redis;
    private final RedisSandboxStore sandboxes;
    private final RedisSnapshotStore snapshots;
    private final RedisApiKeyStore keys;
    private final NodeDirectory nodes;
    private final AuditLog audit;
    private final RedisUsage usageHistory;
    private final RedisJobCounts jobCounts;
    private final Clock clock;

    public SystemRoutes(BoxqConfig config, Redis redis, RedisSandboxStore sandboxes, RedisSnapshotStore snapshots,
            RedisApiKeyStore keys, NodeDirectory nodes, AuditLog audit, Clock clock) {
        this.snapshots = snapshots;
        this.usageHistory = new RedisUsage(redis);
        this.jobCounts = new RedisJobCounts(redis);
        this.clock = clock;
        this.config = config;
        this.redis = redis;
        this.sandboxes = sandboxes;
        this.keys = keys;
        this.nodes = nodes;
        this.audit = audit;
    }

    public void register(Javalin app) {
        app.get("/v1/quota/usage", this::usage);
        app.get("/v1/system/stats", this::stats);
        app.post("/v1/system/cleanup", this::cleanup);
        app.get("/v1/audit", this::audit);
    }

    private void usage(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        TierLimits l = caller.limits(config::limits);
        SnapshotConfig.Limits s = config.snapshots().limits(caller.tier());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key_id", caller.id());
        body.put("user", caller.user());
        body.put("tier", caller.tier().wireName());
        body.put("limits", Map.of("max_sandboxes", l.maxSandboxes(), "memory_mb", l.memoryBytes() >> 20,
                "max_lifetime_s", l.maxLifetime().toSeconds(), "concurrent_jobs", l.concurrentJobs(),
                "requests_per_minute", l.requestsPerMinute(), "runtimes", l.runtimes(),
                "snapshots", s.maxCount(), "snapshot_bytes", s.maxBytes(), "snapshot_lifetime_s", s.lifetime().toSeconds()));
        body.put("usage", Map.of(
                "sandboxes", sandboxes.countForKey(caller.id()),
                "user_sandboxes", sandboxes.countForUser(caller.user()),
                "running_jobs", redis.call(j -> j.scard(redis.keys().keyRunning(caller.id()))),
                "backlog_jobs", redis.call(j -> j.llen(redis.keys().keyBacklog(caller.id()))),
                "snapshots", snapshots.countForKey(caller.id()),
                "snapshot_bytes", snapshots.bytesUsed(caller.id())));
        body.put("history", usageHistory.history(caller.id(), clock.instant(), HISTORY_DAYS));
        ctx.json(body);
    }

    private void stats(Context ctx) {
        Authenticator.admin(ctx);
        Map<String, Object> body = new LinkedHashMap<>();
        List<Map<String, String>> live = nodes.liveNodes().stream().map(SystemRoutes::flatFigures).toList();
        body.put("nodes", live);
        body.put("sandboxes", Map.of("total", sandboxes.countAll(), "max", config.sandboxLimits().maxTotalSandboxes()));
        Map<String, Long> byState = new LinkedHashMap<>();
        jobCounts.byState().forEach((state, n) -> byState.put(state.wireName(), n));
        body.put("jobs_by_state", byState);
        Map<String, Long> streams = new LinkedHashMap<>();
        streams.put("jobs", redis.call(j -> j.xlen(redis.keys().jobsStream())));
        for (var n : live) {
            String stream = redis.keys().nodeStream(n.get("worker_id"));
            streams.put(stream, redis.call(j -> j.xlen(stream)));
        }
        body.put("queue_depth", streams);
        Map<String, Long> backlogs = new LinkedHashMap<>();
        Map<String, Long> running = new LinkedHashMap<>();
        for (ApiKey k : keys.list()) {
            long waiting = redis.call(j -> j.llen(redis.keys().keyBacklog(k.id())));
            long now = redis.call(j -> j.scard(redis.keys().keyRunning(k.id())));
            if (waiting > 0) {
                backlogs.put(k.id(), waiting);
            }
            if (now > 0) {
                running.put(k.id(), now);
            }
        }
        body.put("backlogs", backlogs);
        body.put("running", running);
        body.put("usage_history", usageHistory.totals(clock.instant(), HISTORY_DAYS));
        ctx.json(body);
    }

    /** A node's heartbeat without its per-shape JSON (that is {@code /v1/system/overview}'s). */
    private static Map<String, String> flatFigures(NodeDirectory.NodeInfo node) {
        Map<String, String> fields = new LinkedHashMap<>(node.fields());
        fields.remove("shapes");
        return fields;
    }

    /** Asks every live node to run its sweeps now and sums what they report. */
    private void cleanup(Context ctx) {
        ApiKey admin = Authenticator.admin(ctx);
        String request = "cleanup_" + RandomIds.hex(8);
        String results = redis.keys().cleanupResults(request);
        int expected = nodes.liveNodes().size();
        redis.run(j -> j.publish(redis.keys().controlChannel(), "cleanup " + request));
        long deadline = System.nanoTime() + CLEANUP_WAIT.toNanos();
        Map<String, String> reported = Map.of();
        while (System.nanoTime() < deadline) {
            reported = redis.call(j -> j.hgetAll(results));
            if (reported.size() >= expected) {
                break;
            }
            pause();
        }
        audit.record(admin.id(), "system.cleanup", request, Map.of("nodes", Integer.toString(reported.size())));
        long removed = reported.values().stream().mapToLong(Long::parseLong).sum();
        ctx.json(Map.of("nodes_asked", expected, "nodes_answered", reported.size(), "removed", removed,
                "per_node", reported));
    }

    private void audit(Context ctx) {
        Authenticator.admin(ctx);
        String cursor = ctx.queryParam("cursor");
        if (cursor != null && !isStreamId(cursor)) {
            throw ProblemException.badRequest("cursor", "is not a cursor this server gave out");
        }
        int limit = 50;
        String raw = ctx.queryParam("limit");
        if (raw != null) {
            if (!raw.matches("\\d{1,3}") || Integer.parseInt(raw) < 1 || Integer.parseInt(raw) > 500) {
                throw ProblemException.badRequest("limit", "must be a whole number from 1 to 500");
            }
            limit = Integer.parseInt(raw);
        }
        List<AuditLog.Entry> page = audit.page(cursor, limit);
        List<Object> entries = new ArrayList<>(page);
        ctx.json(Map.of("entries", entries,
                "next_cursor", page.size() == limit ? page.get(page.size() - 1).id() : ""));
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A stream id as this server hands them out: two parts that each fit a signed 64-bit number. */
    private static boolean isStreamId(String s) {
        if (!s.matches("\\d{1,19}-\\d{1,19}")) {
            return false;
        }
        try {
            for (String part : s.split("-")) {
                Long.parseLong(part);
            }
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
