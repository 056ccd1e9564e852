package io.boxq.core.redis;

import java.time.Clock;
import java.util.List;

/** Fixed one-minute windows per API key, counted in Redis so every api process shares them. */
public final class RedisRateLimiter {
    private static final LuaScript COUNT = LuaScript.load("ratelimit");
    static final long WINDOW_SECONDS = 60;

    private final Redis redis;
    private final Clock clock;

    public RedisRateLimiter(Redis redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /** The outcome of counting one request: allowed or not, what is left, and when the window resets. */
    public record Decision(boolean allowed, int limit, int remaining, long resetSeconds) {}

    public Decision hit(String keyId, int limitPerMinute) {
        long nowSeconds = clock.millis() / 1000;
        long window = nowSeconds / WINDOW_SECONDS;
        long count = (Long) redis.call(j -> COUNT.run(j, List.of(redis.keys().rateLimit(keyId, window)),
                List.of(Long.toString(WINDOW_SECONDS))));
        long reset = (window + 1) * WINDOW_SECONDS - nowSeconds;
        return new Decision(count <= limitPerMinute, limitPerMinute,
                (int) Math.max(0, limitPerMinute - count), Math.max(1, reset));
    }
}
