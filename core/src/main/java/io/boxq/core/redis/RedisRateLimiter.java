package io.boxq.core.redis;

import java.time.Clock;

/**
 * Fixed one-minute windows per API key, counted in Redis so every api process shares them. A
 * request costs one {@code INCR} of the window's counter (its name carries the window's number);
 * the first request of a window also gives the counter its TTL. Were the process to stop between
 * the two, that one counter of a past window would stay without TTL (a few bytes, never read
 * again): the price of not paying a script call on every request.
 */
public final class RedisRateLimiter {
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
        String counter = redis.keys().rateLimit(keyId, window);
        long count = redis.call(j -> j.incr(counter));
        if (count == 1) {
            redis.run(j -> j.expire(counter, WINDOW_SECONDS + 1));
        }
        long reset = (window + 1) * WINDOW_SECONDS - nowSeconds;
        return new Decision(count <= limitPerMinute, limitPerMinute,
                (int) Math.max(0, limitPerMinute - count), Math.max(1, reset));
    }
}
