package io.boxq.core.usage;

import io.boxq.core.redis.LuaScript;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisKeys;
import io.boxq.core.redis.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage per key and UTC day in {@code usage:{key}:{day}} hashes, and the day's totals over all keys
 * in {@code usage:total:{day}}; both kept for {@link #RETENTION}. Recording is best effort: usage
 * lost while Redis is away is logged, never an error of the job or sandbox it belongs to. Jobs that
 * {@code complete.lua} ends reach the hashes through {@link PendingUsage}, which every read here
 * folds first.
 */
public final class RedisUsage {
    private static final Logger log = LoggerFactory.getLogger(RedisUsage.class);
    private static final LuaScript ADD = LuaScript.load("usage_add");
    public static final Duration RETENTION = Duration.ofDays(90);

    private final Redis redis;
    private final RedisKeys keys;
    private final PendingUsage pending;

    public RedisUsage(Redis redis) {
        this.redis = redis;
        this.keys = redis.keys();
        this.pending = new PendingUsage(redis);
    }

    /**
     * A job of {@code keyId} that ran for {@code run} ended at {@code endedAt} without
     * {@code complete.lua} (which counts the jobs it ends itself): the stalled-job reclaim ending it
     * {@code error}. All of it counts on the day the job ended.
     */
    public void jobEndedByReclaim(String keyId, Instant endedAt, Duration run) {
        add(keyId, UsageDays.of(endedAt), DailyUsage.JOBS, 1, DailyUsage.RUN_SECONDS, Math.max(0, run.toMillis()) / 1000.0);
    }

    /** A sandbox of {@code keyId} existed from {@code created} to {@code ended}: its seconds go to each day. */
    public void sandboxEnded(String keyId, Instant created, Instant ended) {
        UsageDays.split(created, ended, RETENTION).forEach((day, seconds) ->
                add(keyId, day, DailyUsage.SANDBOX_SECONDS, seconds));
    }

    /** A sandbox of {@code keyId} was paused from {@code from} to {@code to}: its seconds go to each day. */
    public void sandboxPaused(String keyId, Instant from, Instant to) {
        UsageDays.split(from, to, RETENTION).forEach((day, seconds) ->
                add(keyId, day, DailyUsage.PAUSED_SECONDS, seconds));
    }

    /** CPU time measured in a sandbox of {@code keyId} between two samples. */
    public void sandboxCpu(String keyId, Instant at, double cpuSeconds) {
        if (cpuSeconds > 0) {
            add(keyId, UsageDays.of(at), DailyUsage.SANDBOX_CPU_SECONDS, cpuSeconds);
        }
    }

    /** The key's usage on the {@code days} days up to today, oldest first (days without use are zeros). */
    public List<DailyUsage> history(String keyId, Instant now, int days) {
        return read(UsageDays.lastDays(now, days), day -> keys.usage(keyId, day));
    }

    /** All keys' usage on the {@code days} days up to today, oldest first. */
    public List<DailyUsage> totals(Instant now, int days) {
        return read(UsageDays.lastDays(now, days), keys::usageTotal);
    }

    private List<DailyUsage> read(List<String> days, java.util.function.Function<String, String> keyOf) {
        pending.fold();
        List<DailyUsage> out = new ArrayList<>(days.size());
        for (String day : days) {
            Map<String, String> h = redis.call(j -> j.hgetAll(keyOf.apply(day)));
            out.add(DailyUsage.fromHash(day, h));
        }
        return out;
    }

    private void add(String keyId, String day, Object... fieldsAndAmounts) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(RETENTION.toSeconds()));
        for (int i = 0; i < fieldsAndAmounts.length; i += 2) {
            args.add((String) fieldsAndAmounts[i]);
            args.add(String.format(Locale.ROOT, "%.6f", ((Number) fieldsAndAmounts[i + 1]).doubleValue()));
        }
        try {
            redis.call(j -> ADD.run(j, List.of(keys.usage(keyId, day), keys.usageTotal(day)), args));
        } catch (StoreUnavailableException e) {
            log.warn("usage of key {} on {} not recorded: {}", keyId, day, e.getMessage());
        }
    }
}
