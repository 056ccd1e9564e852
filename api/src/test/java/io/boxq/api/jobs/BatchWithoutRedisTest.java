package io.boxq.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.api.ApiServer;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.json.Json;
import io.boxq.core.redis.Redis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch while Redis is unreachable (a port nothing listens on): the admin key needs no Redis to
 * authenticate, so the batch itself meets the outage.
 */
class BatchWithoutRedisTest {
    private static final String ADMIN = "bq_admin_batch_test";

    private Redis redis;
    private ApiServer server;

    @BeforeEach
    void start() {
        BoxqConfig config = BoxqConfig.fromEnv(Map.of("HOST", "127.0.0.1", "PORT", "0",
                "REDIS_URL", "redis://127.0.0.1:1", "BOXQ_ADMIN_KEY", ADMIN));
        redis = new Redis(config.redis().url(), config.redis().prefix(), 2);
        server = new ApiServer(config, redis, Clock.systemUTC(), Optional::empty).start();
    }

    @AfterEach
    void stop() {
        server.close();
        redis.close();
    }

    @Test
    void the_first_item_that_meets_the_outage_gives_up_the_rest_at_once() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/jobs/batch"))
                .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"jobs": [{"command": 5}, {"command": "echo a"}, {"command": "echo b"}, {"command": 6}]}"""))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        JsonNode results = Json.mapper().readTree(r.body()).path("results");
        assertThat(results).hasSize(4);
        assertThat(results.get(0).path("status").asInt()).isEqualTo(400);
        assertThat(results.get(1).path("status").asInt()).isEqualTo(503);
        assertThat(results.get(1).path("problem").path("detail").asText()).contains("unreachable right now");
        for (int i = 2; i < 4; i++) {
            assertThat(results.get(i).path("status").asInt()).isEqualTo(503);
            assertThat(results.get(i).path("problem").path("detail").asText()).startsWith("not tried");
        }
    }
}
