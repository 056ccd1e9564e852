package io.boxq.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.redis.Redis;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.params.ScanParams;

/** A key's change against a real Redis ({@code REDIS_URL}): all of it in one step, or nothing. */
class RedisApiKeyStoreIT {
    private static final String PREFIX = "test-it-keystore-" + UUID.randomUUID().toString().substring(0, 8) + ":";

    private static Redis redis;
    private static RedisApiKeyStore keys;

    @BeforeAll
    static void connect() {
        redis = new Redis(System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"), PREFIX, 2);
        keys = new RedisApiKeyStore(redis, Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        ScanParams match = new ScanParams().match(PREFIX + "*").count(1000);
        redis.call(j -> j.scan(ScanParams.SCAN_POINTER_START, match)).getResult().forEach(k -> redis.run(j -> j.del(k)));
        redis.close();
    }

    @Test
    void one_change_sets_the_tier_limits_and_webhook_url_and_clears_the_limits_it_names() {
        var created = keys.create("erin", Tier.FREE, "e", new KeyOverrides(3, null, 4, null), "https://a.example/h");
        KeyChange change = new KeyChange(Tier.PRO, new KeyOverrides(null, 512L << 20, null, 60),
                Set.of(KeyOverrides.Limit.MAX_SANDBOXES), true, null);

        assertThat(keys.change(created.key().id(), change)).isTrue();

        ApiKey now = keys.findById(created.key().id()).orElseThrow();
        assertThat(now.tier()).isEqualTo(Tier.PRO);
        assertThat(now.overrides()).isEqualTo(new KeyOverrides(null, 512L << 20, 4, 60));
        assertThat(now.webhookUrl()).isNull();
    }

    @Test
    void a_change_to_a_key_whose_record_is_gone_writes_nothing_back() {
        var created = keys.create("frank", null, "f", null, null);
        String record = PREFIX + "apikey:" + Secrets.sha256(created.secret());
        redis.run(j -> j.del(record)); // revoked between the lookup of its id and the write

        boolean changed = keys.change(created.key().id(),
                new KeyChange(null, new KeyOverrides(1, null, null, null), Set.of(), true, "https://b.example/h"));

        assertThat(changed).isFalse();
        Map<String, String> left = redis.call(j -> j.hgetAll(record));
        assertThat(left).as("no part of a record brought back").isEmpty();
    }
}
