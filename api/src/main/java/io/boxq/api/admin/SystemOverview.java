package io.boxq.api.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.RedisApiKeyStore;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.json.Json;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.RecentJobs;
import io.boxq.core.redis.Redis;
import io.boxq.core.sandbox.RecentViolations;
import io.boxq.core.usage.RedisUsage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;

/**
 * Reads the {@link Overview}. Every part is bounded: live nodes' heartbeats, one pipeline over at
 * most {@link #MAX_KEYS} keys' backlogs, the capped recent-jobs and recent-violations indexes, and
 * the sandboxes (at most {@code MAX_TOTAL_SANDBOXES}) with their newest samples.
 */
public final class SystemOverview {
    static final int MAX_KEYS = 10_000;
    static final int KEY_ROWS = 50;
    static final int RECENT_JOBS = 50;
    static final int RECENT_VIOLATIONS = 50;

    private final BoxqConfig config;
    private final Redis redis;
    private final NodeDirectory nodes;
    private final RedisApiKeyStore keys;
    private final SandboxesOverview sandboxes;
    private final RecentJobs recentJobs;
    private final RecentViolations recentViolations;
    private final RedisUsage usage;
    private final Clock clock;

    public SystemOverview(BoxqConfig config, Redis redis, NodeDirectory nodes, RedisApiKeyStore keys,
            SandboxesOverview sandboxes, Clock clock) {
        this.config = config;
        this.redis = redis;
        this.nodes = nodes;
        this.keys = keys;
        this.sandboxes = sandboxes;
        this.recentJobs = new RecentJobs(redis);
        this.recentViolations = new RecentViolations(redis);
        this.usage = new RedisUsage(redis);
        this.clock = clock;
    }

    public Overview read() {
        Instant now = clock.instant();
        List<Overview.Node> live = nodes.liveNodes().stream().map(SystemOverview::node)
                .sorted(Comparator.comparing(Overview.Node::id)).toList();
        var m = config.monitor();
        Overview.Settings settings = new Overview.Settings(config.sandbox().cpuQuotaPercent(),
                m.resourceInterval().toSeconds(), m.memoryWarnPercent(), m.memoryKillPercent(), m.cpuWarnPercent(),
                m.diskWarnPercent(), config.sandboxLimits().maxTotalSandboxes());
        return new Overview(now, settings, live, queue(live), sandboxes.read(), jobs(now), violations());
    }

    private static Overview.Node node(NodeDirectory.NodeInfo n) {
        List<JsonNode> shapes = new ArrayList<>();
        String json = n.fields().get("shapes");
        if (json != null) {
            for (JsonNode shape : Json.read(json, JsonNode.class)) {
                ObjectNode s = shape.deepCopy();
                s.put("total", s.path("available").asInt() + s.path("allocated").asInt());
                shapes.add(s);
            }
        }
        String beat = n.fields().get("heartbeat_at");
        return new Overview.Node(n.id(), beat == null ? null : Instant.ofEpochMilli(Long.parseLong(beat)),
                n.figure("available"), n.figure("allocated"), n.figure("total"), n.figure("max_capacity"),
                n.figure("busy"), n.figure("active_sessions"), shapes);
    }

    /** A key's jobs waiting in its backlog and holding a run slot. */
    private record KeyCounts(String keyId, long backlog, long running) {}

    private Overview.Queue queue(List<Overview.Node> live) {
        List<String> streams = new ArrayList<>(List.of(redis.keys().jobsStream()));
        live.forEach(n -> streams.add(redis.keys().nodeStream(n.id())));
        List<String> keyIds = new ArrayList<>(List.of(ApiKey.ADMIN_ID));
        redis.call(j -> j.hkeys(redis.keys().apiKeyIndex())).stream().limit(MAX_KEYS).forEach(keyIds::add);
        List<Overview.StreamDepth> depths = new ArrayList<>();
        List<KeyCounts> counts = new ArrayList<>();
        redis.run(j -> {
            try (AbstractPipeline p = j.pipelined()) {
                List<Response<Long>> lengths = streams.stream().map(p::xlen).toList();
                List<Response<Long>> backlogs = keyIds.stream().map(k -> p.llen(redis.keys().keyBacklog(k))).toList();
                List<Response<Long>> running = keyIds.stream().map(k -> p.scard(redis.keys().keyRunning(k))).toList();
                p.sync();
                for (int i = 0; i < streams.size(); i++) {
                    depths.add(new Overview.StreamDepth(streams.get(i).substring(redis.keys().prefix().length()),
                            lengths.get(i).get()));
                }
                for (int i = 0; i < keyIds.size(); i++) {
                    counts.add(new KeyCounts(keyIds.get(i), backlogs.get(i).get(), running.get(i).get()));
                }
            }
        });
        List<Overview.KeyQueue> busiest = counts.stream().filter(c -> c.backlog() > 0 || c.running() > 0)
                .sorted(Comparator.comparingLong(KeyCounts::backlog).thenComparingLong(KeyCounts::running).reversed())
                .limit(KEY_ROWS).map(this::keyRow).toList();
        return new Overview.Queue(depths, depths.stream().mapToLong(Overview.StreamDepth::depth).sum(),
                counts.stream().mapToLong(KeyCounts::backlog).sum(), counts.stream().mapToLong(KeyCounts::running).sum(),
                busiest);
    }

    private Overview.KeyQueue keyRow(KeyCounts c) {
        if (ApiKey.ADMIN_ID.equals(c.keyId())) {
            return new Overview.KeyQueue(c.keyId(), "admin", "admin key", "admin", c.backlog(), c.running());
        }
        return keys.findById(c.keyId())
                .map(k -> new Overview.KeyQueue(c.keyId(), k.user(), k.name(), k.tier().wireName(), c.backlog(),
                        c.running()))
                .orElse(new Overview.KeyQueue(c.keyId(), null, null, null, c.backlog(), c.running()));
    }

    private Overview.Jobs jobs(Instant now) {
        List<RecentJobs.Summary> recent = recentJobs.newest(RECENT_JOBS);
        Map<String, Long> byState = recent.stream()
                .collect(Collectors.groupingBy(RecentJobs.Summary::state, TreeMap::new, Collectors.counting()));
        return new Overview.Jobs(usage.totals(now, 1).get(0), byState, recent);
    }

    private List<Overview.Violation> violations() {
        return recentViolations.newest(RECENT_VIOLATIONS).stream().map(e -> {
            var v = e.violation();
            return new Overview.Violation(v.at(), e.sandboxId(), e.keyId(), e.node(), v.kind().wireName(),
                    v.level().wireName(), v.percent(), v.threshold(), v.action(), v.describe());
        }).toList();
    }
}
