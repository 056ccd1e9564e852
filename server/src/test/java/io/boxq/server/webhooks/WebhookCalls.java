package io.boxq.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.redis.Redis;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The calls the webhook ITs repeat, on a {@link BoxqTestServer} with Quartz maintenance (so
 * deliveries are dispatched as in production): a small system of one pool container or four, the
 * exec runner, and the node that can be stopped and started again on the same prefix.
 */
final class WebhookCalls implements AutoCloseable {
    private final BoxqTestServer server;

    private WebhookCalls(BoxqTestServer server) {
        this.server = server;
    }

    /** The api and, when {@code withNode}, an executor node; {@code overrides} win over the small defaults. */
    static WebhookCalls start(String testName, Map<String, String> overrides, boolean withNode) {
        Map<String, String> env = new HashMap<>(Map.of("POOL_SIZE", "1", "MIN_POOL_SIZE", "1", "MAX_POOL_SIZE", "4",
                "RUNNER", "exec"));
        env.putAll(overrides);
        BoxqTestServer server = withNode ? BoxqTestServer.start(testName, env)
                : BoxqTestServer.startApiOnly(testName, env);
        return new WebhookCalls(server.runMaintenance());
    }

    void startNode() {
        server.startNode();
    }

    void stopNode() {
        server.stopNode();
    }

    BoxqConfig config() {
        return server.config;
    }

    Redis redis() {
        return server.redis();
    }

    String adminKey() {
        return server.adminKey();
    }

    Reply get(String path, String key) {
        return server.client.get(path, key);
    }

    Reply post(String path, String key, String body) {
        return server.client.post(path, key, body);
    }

    Reply post(String path, String key, Map<String, ?> body) {
        return server.client.post(path, key, body);
    }

    Reply patch(String path, String key, String body) {
        return server.client.patch(path, key, body);
    }

    Reply patch(String path, String key, Map<String, ?> body) {
        return server.client.patch(path, key, body);
    }

    /** A new pro key (so a few jobs run at once), optionally with a default webhook URL. */
    String newKey(String webhookUrl) {
        return newKeyRecord(webhookUrl).get("key").asText();
    }

    /** {@link #newKey}'s whole create answer: {@code id}, {@code key} (the secret), limits, webhook_url. */
    JsonNode newKeyRecord(String webhookUrl) {
        Map<String, Object> body = new HashMap<>(Map.of("user", TestEnvironment.unique("u"), "tier", "pro"));
        if (webhookUrl != null) {
            body.put("webhook_url", webhookUrl);
        }
        Reply reply = post("/v1/keys", adminKey(), body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json();
    }

    /** The admin's view of the key with id {@code id} from {@code GET /v1/keys}. */
    JsonNode keyView(String id) {
        Reply reply = get("/v1/keys", adminKey());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        for (JsonNode k : reply.json().path("keys")) {
            if (id.equals(k.path("id").asText())) {
                return k;
            }
        }
        throw new AssertionError("no key " + id + " in " + reply.body());
    }

    /** Submits a job and returns its id. */
    String submit(String key, Map<String, Object> job) {
        return server.client.submit(key, job).get("id").asText();
    }

    /** The job's delivery view once {@code state} is reached. */
    JsonNode awaitDelivery(String key, String jobId, String state) {
        return await().atMost(Duration.ofSeconds(30)).until(
                () -> get("/v1/jobs/" + jobId + "/deliveries", key).json(),
                d -> state.equals(d.path("state").asText()));
    }

    String webhookSecret(String key) {
        Reply reply = get("/v1/webhook-secret", key);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("secret").asText();
    }

    @Override
    public void close() {
        server.stop();
    }
}
