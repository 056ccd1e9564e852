package io.boxq.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.boxq.core.redis.Redis;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.params.ScanParams;

/**
 * The key cache of an api process against a real Redis ({@code REDIS_URL}): two stores on one
 * prefix stand for two api processes. A key is served from memory (a record deleted behind its back
 * is still found), and a change made through either process empties the cache of both.
 */
class ApiKeyCacheIT {
    private static final String PREFIX = "test-it-keycache-" + UUID.randomUUID().toString().substring(0, 8) + ":";

    private static Redis redis;
    private static RedisApiKeyStore here;
    private static RedisApiKeyStore elsewhere;
    private static ApiKeyCache cache;

    @BeforeAll
    static void connect() {
        redis = new Redis(System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"), PREFIX, 4);
        here = new RedisApiKeyStore(redis, Clock.systemUTC());
        elsewhere = new RedisApiKeyStore(redis, Clock.systemUTC());
        cache = new ApiKeyCache(redis, here).start();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            // subscribed: a cached key then survives its record's deletion
            var c = here.create("probe", null, null, null, null);
            cache.findBySecret(c.secret());
            redis.run(j -> j.del(PREFIX + "apikey:" + Secrets.sha256(c.secret())));
            return cache.findBySecret(c.secret()).isPresent();
        });
    }

    @AfterAll
    static void close() {
        cache.close();
        ScanParams match = new ScanParams().match(PREFIX + "*").count(1000);
        redis.call(j -> j.scan(ScanParams.SCAN_POINTER_START, match)).getResult().forEach(k -> redis.run(j -> j.del(k)));
        redis.close();
    }

    @Test
    void a_key_is_read_from_redis_once_then_served_from_memory() {
        // no tier: a create that sets one announces a change, whose message could empty the cache
        // after the first lookup below (it does so on purpose)
        var created = here.create("alice", null, "a", null, null);
        assertThat(cache.findBySecret(created.secret())).isPresent();

        redis.run(j -> j.del(PREFIX + "apikey:" + Secrets.sha256(created.secret())));

        assertThat(cache.findBySecret(created.secret())).as("served without reading Redis").isPresent();
    }

    @Test
    void a_key_revoked_through_this_process_fails_on_the_very_next_lookup() {
        var created = here.create("bob", Tier.FREE, "b", null, null);
        assertThat(cache.findBySecret(created.secret())).isPresent();

        here.revoke(created.key().id());

        assertThat(cache.findBySecret(created.secret())).isEmpty();
    }

    @Test
    void a_key_revoked_by_another_process_is_dropped_when_its_message_arrives() {
        var created = here.create("carol", Tier.FREE, "c", null, null);
        assertThat(cache.findBySecret(created.secret())).isPresent();

        elsewhere.revoke(created.key().id());

        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5))
                .until(() -> cache.findBySecret(created.secret()).isEmpty());
    }

    @Test
    void a_tier_change_and_a_limit_change_by_another_process_reach_the_cached_key() {
        var created = here.create("dave", Tier.FREE, "d", null, null);
        assertThat(cache.findBySecret(created.secret()).orElseThrow().tier()).isEqualTo(Tier.FREE);

        elsewhere.change(created.key().id(), new KeyChange(Tier.PRO, null, Set.of(), false, null));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5))
                .until(() -> cache.findBySecret(created.secret()).orElseThrow().tier() == Tier.PRO);

        elsewhere.change(created.key().id(), new KeyChange(null,
                KeyOverrides.fromHash(java.util.Map.of("requests_per_minute", "7")), Set.of(), false, null));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5))
                .until(() -> cache.findBySecret(created.secret()).orElseThrow().overrides()
                        .equals(KeyOverrides.fromHash(java.util.Map.of("requests_per_minute", "7"))));
    }
}
