package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.boxq.core.redis.Redis;
import io.boxq.core.sandbox.QuotaExceededException;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.ResourceViolation;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.core.sandbox.SandboxEnd;
import io.boxq.core.sandbox.SandboxEndedException;
import io.boxq.server.TestEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store's side of ended sandboxes against a real Redis (no containers): an end gives every
 * quota place back in the same call and keeps the record with a TTL; the first end wins; nothing
 * written later makes an ended record look alive; with no retention the record goes at once.
 */
class EndedSandboxRecordsIT {
    private static final RedisSandboxStore.Limits TWO = new RedisSandboxStore.Limits(2, -1, -1, 1000);

    private String prefix;
    private Redis redis;
    private RedisSandboxStore store;

    @BeforeEach
    void open() {
        prefix = "test-" + TestEnvironment.unique("ended") + ":";
        redis = new Redis(TestEnvironment.redisUrl(), prefix, 4);
        store = new RedisSandboxStore(redis, Clock.systemUTC(), Duration.ofMinutes(10));
    }

    @AfterEach
    void close() {
        redis.close();
        TestEnvironment.deleteRedisKeys(prefix);
    }

    @Test
    void an_end_gives_every_place_back_and_keeps_the_record_with_a_ttl() {
        Sandbox a = reserve("sbx_a", "key1");
        reserve("sbx_b", "key1");
        assertThatThrownBy(() -> reserve("sbx_c", "key1")).isInstanceOf(QuotaExceededException.class);

        assertThat(store.end(a, SandboxEnd.EXPIRED, "lifetime ended")).isTrue();

        assertThat(store.countForKey("key1")).isEqualTo(1);
        assertThat(store.countForUser("user1")).isEqualTo(1);
        assertThat(store.countAll()).isEqualTo(1);
        assertThat(store.listForNode("node1")).extracting(Sandbox::id).containsExactly("sbx_b");
        assertThat(store.listForKey("key1")).extracting(Sandbox::id).containsExactly("sbx_b");
        assertThat(store.listEndedForKey("key1")).extracting(Sandbox::id).containsExactly("sbx_a");
        Sandbox ended = store.get("sbx_a", "key1");
        assertThat(ended.ended()).isTrue();
        assertThat(ended.state()).isEqualTo("expired");
        assertThat(ended.endReason()).isEqualTo("lifetime ended");
        long ttl = redis.call(j -> j.ttl(redis.keys().sandbox("sbx_a")));
        assertThat(ttl).isBetween(1L, 600L);
        assertThatThrownBy(() -> store.getLive("sbx_a", "key1")).isInstanceOf(SandboxEndedException.class)
                .hasMessageContaining("expired").hasMessageContaining("lifetime ended");
        reserve("sbx_c", "key1");
    }

    @Test
    void the_first_end_wins_and_a_later_one_changes_nothing() {
        Sandbox a = reserve("sbx_a", "key1");

        assertThat(store.end(a, SandboxEnd.TERMINATED, "memory at 96.3% of its memory limit (critical at 95%)")).isTrue();
        assertThat(store.end(a, SandboxEnd.DELETED, "deleted by its owner")).isFalse();
        assertThat(store.discard(a)).isFalse();

        Sandbox ended = store.get("sbx_a", "key1");
        assertThat(ended.state()).isEqualTo("terminated");
        assertThat(ended.endReason()).startsWith("memory at 96.3%");
        assertThat(store.countForKey("key1")).isZero();
    }

    @Test
    void nothing_written_after_the_end_makes_the_record_look_alive() {
        Sandbox a = reserve("sbx_a", "key1");
        store.end(a, SandboxEnd.LOST, "its node node1 stopped answering");
        Sandbox before = store.get("sbx_a", "key1");

        store.touch("sbx_a");
        assertThat(store.extend("sbx_a", Instant.now().plusSeconds(3600))).isFalse();
        assertThat(store.markReady("sbx_a", "container")).isFalse();
        store.addViolation("sbx_a", new ResourceViolation(Instant.now(), ResourceViolation.Kind.CPU,
                ResourceViolation.Level.WARNING, 95, 90, "recorded"));

        assertThat(store.get("sbx_a", "key1")).isEqualTo(before);
        store.touch("sbx_gone");
        boolean revived = redis.call(j -> j.exists(redis.keys().sandbox("sbx_gone")));
        assertThat(revived).as("a write to a missing record creates nothing").isFalse();
    }

    @Test
    void with_no_retention_or_a_creation_that_failed_the_record_goes_at_once() {
        RedisSandboxStore keepsNothing = new RedisSandboxStore(redis, Clock.systemUTC(), Duration.ZERO);
        Sandbox a = reserve("sbx_a", "key1");
        Sandbox b = reserve("sbx_b", "key1");

        assertThat(keepsNothing.end(a, SandboxEnd.DELETED, "deleted by its owner")).isTrue();
        assertThat(store.discard(b)).isTrue();

        assertThat(store.find("sbx_a")).isEmpty();
        assertThat(store.find("sbx_b")).isEmpty();
        assertThat(store.listEndedForKey("key1")).isEmpty();
        assertThat(store.countForKey("key1")).isZero();
    }

    @Test
    void violations_written_at_once_are_all_kept_then_only_the_newest_twenty() throws Exception {
        reserve("sbx_a", "key1");
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 10; i++) {
                threads.submit(() -> store.addViolation("sbx_a", violation(50)));
            }
        }
        assertThat(store.get("sbx_a", "key1").violations()).as("none lost to another write").hasSize(10);

        for (int i = 1; i <= 15; i++) {
            store.addViolation("sbx_a", violation(100 + i));
        }
        var kept = store.get("sbx_a", "key1").violations();
        assertThat(kept).hasSize(20);
        assertThat(kept.get(19).percent()).isEqualTo(115);
        assertThat(kept.get(19).at()).isEqualTo(violation(115).at());
    }

    @Test
    void a_record_whose_json_does_not_read_back_fails_loudly() {
        reserve("sbx_a", "key1");
        redis.run(j -> j.hset(redis.keys().sandbox("sbx_a"), "env", "{\"A\":"));

        assertThatThrownBy(() -> store.get("sbx_a", "key1")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sbx_a").hasMessageContaining("env");
    }

    private static ResourceViolation violation(double percent) {
        return new ResourceViolation(Instant.parse("2026-12-07T05:00:00.123456Z"), ResourceViolation.Kind.CPU,
                ResourceViolation.Level.WARNING, percent, 90, "recorded");
    }

    private Sandbox reserve(String id, String keyId) {
        Instant now = Instant.now();
        Sandbox s = new Sandbox(id, keyId, "user1", "node1", null, TestEnvironment.BUSYBOX, 256L << 20, Map.of(),
                "ready", now, now, Duration.ofMinutes(5), now.plusSeconds(60), now.plusSeconds(3600), null);
        store.reserve(s, TWO);
        return s;
    }
}
