package io.boxq.api.metrics;

import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.Redis;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;

/**
 * {@code boxq_stream_depth{stream}} (the shared stream and each live node's own) and
 * {@code boxq_backlog_depth} (jobs waiting in all keys' backlogs), read from Redis when scraped.
 * These are figures of the whole deployment, the same from every process (aggregate with max, not
 * sum). The cost is bounded: one pipeline per scrape over at most {@link #MAX_KEYS} keys, and
 * scrapes closer together than {@link #MIN_REFRESH} reuse the last reading.
 */
public final class QueueDepthGauges implements Runnable {
    static final int MAX_KEYS = 10_000;
    static final Duration MIN_REFRESH = Duration.ofSeconds(2);

    private final Redis redis;
    private final NodeDirectory nodes;
    private final MultiGauge streams;
    private final AtomicLong backlog = new AtomicLong();
    private volatile long refreshedAt = Long.MIN_VALUE;

    public QueueDepthGauges(Redis redis, MeterRegistry registry) {
        this.redis = redis;
        this.nodes = new NodeDirectory(redis);
        this.streams = MultiGauge.builder("boxq.stream.depth").description("entries in a job stream")
                .register(registry);
        Gauge.builder("boxq.backlog.depth", backlog, AtomicLong::get)
                .description("jobs waiting in the keys' backlogs for a run slot").register(registry);
    }

    /** Reads the depths again (at most every {@link #MIN_REFRESH}). */
    @Override
    public synchronized void run() {
        long now = System.nanoTime();
        if (refreshedAt != Long.MIN_VALUE && now - refreshedAt < MIN_REFRESH.toNanos()) {
            return;
        }
        List<String> streamKeys = new ArrayList<>(List.of(redis.keys().jobsStream(), redis.keys().deadLetters()));
        nodes.liveNodes().forEach(n -> streamKeys.add(redis.keys().nodeStream(n.id())));
        List<String> keyIds = redis.call(j -> j.hkeys(redis.keys().apiKeyIndex())).stream().limit(MAX_KEYS).toList();
        Map<String, Long> depths = new java.util.LinkedHashMap<>();
        long waiting = redis.call(j -> {
            try (AbstractPipeline p = j.pipelined()) {
                List<Response<Long>> lengths = streamKeys.stream().map(p::xlen).toList();
                List<Response<Long>> backlogs = keyIds.stream().map(k -> p.llen(redis.keys().keyBacklog(k))).toList();
                p.sync();
                for (int i = 0; i < streamKeys.size(); i++) {
                    depths.put(streamKeys.get(i), lengths.get(i).get());
                }
                return backlogs.stream().mapToLong(Response::get).sum();
            }
        });
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        String prefix = redis.keys().prefix();
        depths.forEach((stream, depth) -> rows.add(MultiGauge.Row.of(
                Tags.of("stream", stream.startsWith(prefix) ? stream.substring(prefix.length()) : stream), depth)));
        streams.register(rows, true);
        backlog.set(waiting);
        refreshedAt = now;
    }
}
