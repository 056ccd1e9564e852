package io.boxq.core.sandbox;

import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The sampled history of each sandbox in {@code stats:{sandbox}}: a stream trimmed to exactly
 * {@code maxLength} entries on every append (exact, not {@code ~}: approximate trimming only drops
 * whole stream nodes of 100 entries, which would not bound a short history at all). The stream also
 * expires when nobody appends any more, should the end of its sandbox go unseen.
 */
public final class RedisSandboxStats {
    private final Redis redis;
    private final RedisKeys keys;

    public RedisSandboxStats(Redis redis) {
        this.redis = redis;
        this.keys = redis.keys();
    }

    public void append(String sandboxId, ResourceSample sample, int maxLength, Duration keepFor) {
        String key = keys.sandboxStats(sandboxId);
        redis.run(j -> {
            j.xadd(key, XAddParams.xAddParams().maxLen(maxLength).exactTrimming(), sample.toFields());
            j.expire(key, Math.max(1, keepFor.toSeconds()));
        });
    }

    /** Up to {@code count} of the newest samples, oldest first (newest last). */
    public List<ResourceSample> history(String sandboxId, int count) {
        List<StreamEntry> newestFirst = redis.call(j -> j.xrevrange(keys.sandboxStats(sandboxId),
                StreamEntryID.MAXIMUM_ID, StreamEntryID.MINIMUM_ID, count));
        List<ResourceSample> samples = new ArrayList<>(newestFirst.size());
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            samples.add(ResourceSample.fromFields(newestFirst.get(i).getFields()));
        }
        return samples;
    }

    /** Up to {@code count} of the newest samples of each sandbox (oldest first), read in one pipeline. */
    public Map<String, List<ResourceSample>> histories(List<String> sandboxIds, int count) {
        List<List<StreamEntry>> replies = redis.call(j -> {
            try (AbstractPipeline p = j.pipelined()) {
                List<Response<List<StreamEntry>>> r = sandboxIds.stream().map(id -> p.xrevrange(
                        keys.sandboxStats(id), StreamEntryID.MAXIMUM_ID, StreamEntryID.MINIMUM_ID, count)).toList();
                p.sync();
                return r.stream().map(Response::get).toList();
            }
        });
        Map<String, List<ResourceSample>> histories = new HashMap<>();
        for (int i = 0; i < sandboxIds.size(); i++) {
            List<StreamEntry> newestFirst = replies.get(i);
            List<ResourceSample> samples = new ArrayList<>(newestFirst.size());
            for (int k = newestFirst.size() - 1; k >= 0; k--) {
                samples.add(ResourceSample.fromFields(newestFirst.get(k).getFields()));
            }
            histories.put(sandboxIds.get(i), samples);
        }
        return histories;
    }

    public long length(String sandboxId) {
        return redis.call(j -> j.xlen(keys.sandboxStats(sandboxId)));
    }

    public void delete(String sandboxId) {
        redis.run(j -> j.del(keys.sandboxStats(sandboxId)));
    }
}
