package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A plain Redis (AOF on, no Sentinel) killed with SIGKILL under 8 submitting clients and started
 * again on a dataset big enough that loading it takes seconds: while it is away and while it
 * answers LOADING, every submit is answered 202 or 503 with Retry-After, never 500; every job
 * answered 202 ends.
 */
class RedisRestartUnderLoadIT {
    /** About 2 s of loading on the test machine (docs/reliability.md). */
    private static final int BALLAST_KEYS = 600_000;

    @Test
    void while_redis_restarts_and_loads_every_submit_is_202_or_503_and_every_accepted_job_ends() throws Exception {
        try (PrivateRedis redis = new PrivateRedis().start()) {
            writeBallast(redis);
            BoxqTestServer server = BoxqTestServer.start("restart", Map.of("REDIS_URL", redis.url()));
            try {
                killAndRestartUnderLoad(redis, server);
            } finally {
                assertThat(server.stop()).as("containers left after the node closed").isEmpty();
            }
        }
    }

    private static void killAndRestartUnderLoad(PrivateRedis redis, BoxqTestServer server) throws Exception {
        BoxqClient http = server.client;
        BoxqClient.Reply k = http.post("/v1/keys", server.adminKey(), Map.of("user", TestEnvironment.unique("restart"),
                "tier", "free", "concurrent_jobs", 64, "requests_per_minute", 1_000_000));
        assertThat(k.status()).as(k.body()).isEqualTo(201);
        String key = k.json().path("key").asText();

        AtomicBoolean sawLoading = new AtomicBoolean();
        long killedAt;
        try (SubmitLoad load = new SubmitLoad(http, key, 8, 4)) {
            load.awaitAcceptedSince(0, 40, Duration.ofSeconds(60));
            killedAt = System.nanoTime();
            redis.kill();
            Thread watcher = Thread.ofVirtual().start(() -> watchForLoading(redis.port(), sawLoading));
            redis.start(); // returns once it answers PING: loaded
            watcher.join(Duration.ofSeconds(30));
            await("boxq serves again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> load.lastUnavailableAt() > killedAt
                            && System.nanoTime() - load.lastUnavailableAt() > 1_000_000_000L);
            load.awaitAcceptedSince(load.lastUnavailableAt(), 40, Duration.ofSeconds(60));
            load.finish();

            assertThat(sawLoading).as("Redis answered LOADING for a while").isTrue();
            assertThat(load.unexpected).as("answers other than 202 or 503 (a 500 for LOADING)").isEmpty();
            assertThat(load.hung).as("requests with no answer within " + SubmitLoad.ANSWER_WITHIN).hasValue(0);
            assertThat(load.unavailableWithoutRetryAfter).as("503s without Retry-After").hasValue(0);
            List<String> notEnded = new ArrayList<>();
            for (SubmitLoad.Accepted a : load.accepted) {
                JsonNode job = load.awaitEnd(a.id());
                if (job == null || !"succeeded".equals(job.path("state").asText())
                        || !a.stdout().equals(job.path("stdout").asText())) {
                    notEnded.add(a.id() + ": " + job);
                }
            }
            assertThat(notEnded).as("jobs answered 202 that did not succeed").isEmpty();
            System.out.printf("RedisRestartUnderLoadIT: %d jobs accepted, %d answers 503 (with Retry-After), "
                    + "the last %.1f s after the kill%n", load.accepted.size(), load.unavailable.get(),
                    (load.lastUnavailableAt() - killedAt) / 1e9);
        }
    }

    /** Keys of a prefix of their own (not boxq's), written through the AOF. */
    private static void writeBallast(PrivateRedis redis) {
        try (Jedis j = new Jedis(java.net.URI.create(redis.url()))) {
            String value = "x".repeat(32);
            for (int from = 0; from < BALLAST_KEYS; from += 10_000) {
                Pipeline p = j.pipelined();
                for (int i = from; i < from + 10_000; i++) {
                    p.set("ballast:" + i, value);
                }
                p.sync();
            }
        }
    }

    /** Sets {@code seen} once a PING is answered LOADING (until Redis answers PONG or 30 s pass). */
    private static void watchForLoading(int port, AtomicBoolean seen) {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            try (Jedis j = new Jedis("127.0.0.1", port, 500)) {
                if ("PONG".equals(j.ping())) {
                    return;
                }
            } catch (JedisDataException e) {
                if (e.getMessage().startsWith("LOADING")) {
                    seen.set(true);
                }
            } catch (RuntimeException e) {
                // not listening yet
            }
        }
    }
}
