package io.boxq.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rate window on a real Redis: its counter holds exactly the places handed out by one process,
 * a block at a time, and two limiters (two api processes) on one key, hit from many threads at
 * once, never let it past its limit.
 */
class RedisRateLimiterIT {
    private static final long WINDOW = 29_000_000; // a fixed minute, so the test never straddles two
    private final String prefix = "test-ratelimit-" + UUID.randomUUID() + ":";
    private final Redis redis = TestRedis.connect(prefix);
    private final Clock clock = Clock.fixed(Instant.ofEpochSecond(WINDOW * 60 + 10), ZoneOffset.UTC);

    @AfterEach
    void cleanUp() {
        TestRedis.deleteAllAndClose(redis, prefix);
    }

    @Test
    void one_process_counts_exactly_and_asks_redis_once_a_block() {
        RedisRateLimiter limiter = new RedisRateLimiter(redis, clock);
        String counter = redis.keys().rateLimit("key_a", WINDOW);

        RedisRateLimiter.Decision first = limiter.hit("key_a", 640);
        assertThat(first).isEqualTo(new RedisRateLimiter.Decision(true, 640, 639, 50));
        assertThat(counterOf(counter)).as("one block of a 64th of the limit").isEqualTo("10");
        assertThat(ttlOf(counter)).isBetween(1L, 61L);
        for (int i = 2; i <= 640; i++) {
            RedisRateLimiter.Decision d = limiter.hit("key_a", 640);
            assertThat(d.allowed()).as("request %d", i).isTrue();
            assertThat(d.remaining()).as("request %d", i).isEqualTo(640 - i);
        }
        assertThat(counterOf(counter)).isEqualTo("640");

        RedisRateLimiter.Decision refused = limiter.hit("key_a", 640);
        assertThat(refused).isEqualTo(new RedisRateLimiter.Decision(false, 640, 0, 50));
        assertThat(counterOf(counter)).as("refused without asking Redis").isEqualTo("640");
    }

    private String counterOf(String counter) {
        return redis.call(j -> j.get(counter));
    }

    private long ttlOf(String counter) {
        return redis.call(j -> j.ttl(counter));
    }

    @Test
    void two_processes_never_let_a_key_past_its_limit() throws Exception {
        List<RedisRateLimiter> processes = List.of(new RedisRateLimiter(redis, clock), new RedisRateLimiter(redis, clock));
        int limit = 6_000;
        List<Future<Boolean>> answers = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 8_000; i++) {
                RedisRateLimiter limiter = processes.get(i % 2);
                answers.add(threads.submit(() -> limiter.hit("key_b", limit).allowed()));
            }
        }
        int allowed = 0;
        for (Future<Boolean> a : answers) {
            allowed += a.get() ? 1 : 0;
        }
        assertThat(allowed).as("at most the limit, short by at most the other process's block")
                .isBetween(limit - (int) RateBlock.size(limit), limit);
    }
}
