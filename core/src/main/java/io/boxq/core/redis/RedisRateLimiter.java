package io.boxq.core.redis;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed one-minute windows per API key, counted in Redis so every api process shares them. A
 * process takes places in a window a block at a time (one {@code INCRBY} of the window's counter,
 * a 64th of the limit, at most 256: {@link RateBlock}) and hands them out without asking Redis
 * again, so a key's requests cost Redis one round trip per block rather than one each. With one api
 * process the count is exact (a limit of 64 or less takes one place at a time, as before); with
 * several, a key can be refused up to one block per other process early in a window, never let
 * past its limit. The first block of a window also gives the counter its TTL; were the process to
 * stop between the two, that one counter of a past window would stay without TTL (a few bytes, never
 * read again): the price of not paying a script call.
 */
public final class RedisRateLimiter {
    static final long WINDOW_SECONDS = 60;

    private final Redis redis;
    private final Clock clock;
    private final Map<String, RateBlock> blocks = new ConcurrentHashMap<>();
    /** The window whose blocks of earlier windows were last let go of. */
    private volatile long swept = -1;

    public RedisRateLimiter(Redis redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /** The outcome of counting one request: allowed or not, what is left, and when the window resets. */
    public record Decision(boolean allowed, int limit, int remaining, long resetSeconds) {}

    public Decision hit(String keyId, int limitPerMinute) {
        long nowSeconds = clock.millis() / 1000;
        long now = nowSeconds / WINDOW_SECONDS;
        sweep(now);
        while (true) {
            RateBlock block = blocks.computeIfAbsent(keyId, k -> new RateBlock(now));
            block.lock.lock();
            try {
                if (block.retired()) {
                    continue; // the sweep let it go after we found it: the key has a new one
                }
                long window = block.windowFor(now);
                long place = block.next(limitPerMinute);
                if (place == RateBlock.USED_UP) {
                    place = take(block, keyId, window, limitPerMinute);
                }
                // A place of a block taken under a higher limit (the key's was lowered since) is over.
                boolean allowed = place > 0 && place <= limitPerMinute;
                long reset = Math.max(1, (window + 1) * WINDOW_SECONDS - nowSeconds);
                return new Decision(allowed, limitPerMinute, allowed ? (int) (limitPerMinute - place) : 0, reset);
            } finally {
                block.lock.unlock();
            }
        }
    }

    private long take(RateBlock block, String keyId, long window, int limit) {
        String counter = redis.keys().rateLimit(keyId, window);
        long size = RateBlock.size(limit);
        long end = redis.call(j -> j.incrBy(counter, size));
        if (end == size) {
            redis.run(j -> j.expire(counter, WINDOW_SECONDS + 1));
        }
        return block.took(end, size, limit);
    }

    /**
     * Once a window: lets go of the blocks of keys not seen in this window or the one before. A
     * block is retired under its lock, so a request that found it before it went takes the key's
     * new block instead of taking places nobody would hand out.
     */
    private void sweep(long window) {
        if (window == swept) {
            return;
        }
        swept = window;
        blocks.values().removeIf(block -> {
            block.lock.lock();
            try {
                return block.retireIfBefore(window - 1);
            } finally {
                block.lock.unlock();
            }
        });
    }
}
