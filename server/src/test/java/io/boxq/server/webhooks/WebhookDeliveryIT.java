package io.boxq.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import io.boxq.server.BoxqClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end: real jobs in real containers, a real receiver on 127.0.0.1 (allowed through
 * WEBHOOK_ALLOWLIST, not WEBHOOK_ALLOW_PRIVATE), signatures checked by a verifier written from the
 * Standard Webhooks specification, retries on a shortened schedule (now, 1 s, 1 s).
 */
class WebhookDeliveryIT {
    private static WebhookCalls boxq;
    private Receiver receiver;

    @BeforeAll
    static void start() {
        boxq = WebhookCalls.start("webhooks", Map.of(
                "WEBHOOK_ALLOWLIST", "127.0.0.1",
                "WEBHOOK_RETRY_SCHEDULE_SECONDS", "0,1,1",
                "WEBHOOK_TIMEOUT_SECONDS", "2",
                "WEBHOOK_MAX_OUTPUT_BYTES", "32"), true);
    }

    @AfterAll
    static void stop() {
        if (boxq != null) {
            boxq.close();
        }
    }

    @AfterEach
    void closeReceiver() {
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void a_finished_job_calls_back_once_signed_with_the_keys_secret() {
        receiver = Receiver.answering(204);
        String key = boxq.newKey(null);
        String secret = boxq.webhookSecret(key);
        String job = boxq.submit(key, Map.of("command", "echo hi", "callback_url", receiver.url("/hook"),
                "metadata", Map.of("run", "r-7")));

        JsonNode delivery = boxq.awaitDelivery(key, job, "delivered");

        assertThat(receiver.requests()).hasSize(1);
        Receiver.Request request = receiver.requests().get(0);
        assertThat(request.path()).isEqualTo("/hook");
        assertThat(request.header("content-type")).startsWith("application/json");
        assertThat(request.header("webhook-id")).isEqualTo("msg_" + job);
        assertThat(Long.parseLong(request.header("webhook-timestamp")))
                .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
        assertThat(StandardWebhooksVerifier.signatures(request)).hasSize(1);
        assertThat(StandardWebhooksVerifier.verifies(secret, request)).isTrue();
        assertThat(StandardWebhooksVerifier.verifies(boxq.webhookSecret(boxq.newKey(null)), request)).isFalse();
        JsonNode body = json(request);
        assertThat(body.get("type").asText()).isEqualTo("job.succeeded");
        assertThat(body.get("data").get("id").asText()).isEqualTo(job);
        assertThat(body.get("data").get("state").asText()).isEqualTo("succeeded");
        assertThat(body.get("data").get("exit_code").asInt()).isZero();
        assertThat(body.get("data").get("stdout").asText()).isEqualTo("hi\n");
        assertThat(body.get("data").get("metadata").get("run").asText()).isEqualTo("r-7");
        assertThat(body.get("data").has("finished_at")).isTrue();
        assertThat(delivery.get("webhook_id").asText()).isEqualTo("msg_" + job);
        assertThat(delivery.get("event").asText()).isEqualTo("job.succeeded");
        assertThat(delivery.get("attempts")).hasSize(1);
        assertThat(delivery.get("attempts").get(0).get("status_code").asInt()).isEqualTo(204);
        assertThat(delivery.get("attempts").get(0).has("latency_ms")).isTrue();
        assertThat(delivery.get("attempts").get(0).has("at")).isTrue();
    }

    @Test
    void a_receiver_answering_500_twice_then_200_gets_three_attempts_with_one_webhook_id() {
        receiver = new Receiver(i -> i < 2 ? 500 : 200);
        String key = boxq.newKey(null);
        String secret = boxq.webhookSecret(key);
        String job = boxq.submit(key, Map.of("command", "echo retry", "callback_url", receiver.url("/hook")));

        JsonNode delivery = boxq.awaitDelivery(key, job, "delivered");

        List<Receiver.Request> requests = receiver.requests();
        assertThat(requests).hasSize(3);
        assertThat(requests).extracting(r -> r.header("webhook-id")).containsOnly("msg_" + job);
        assertThat(requests).allSatisfy(r -> assertThat(StandardWebhooksVerifier.verifies(secret, r)).isTrue());
        assertThat(requests).extracting(Receiver.Request::text).containsOnly(requests.get(0).text());
        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at())).isGreaterThan(Duration.ofMillis(700));
        assertThat(delivery.get("attempts")).extracting(a -> a.get("status_code").asInt()).containsExactly(500, 500, 200);
        assertThat(delivery.get("attempts").get(0).get("error").asText()).isEqualTo("HTTP 500");
        assertThat(delivery.get("attempts").get(0).get("response").asText()).isEqualTo("answer 0");
        assertThat(delivery.get("attempts")).extracting(a -> a.get("attempt").asInt()).containsExactly(1, 2, 3);
    }

    @Test
    void a_receiver_that_always_fails_gets_every_attempt_of_the_schedule_then_the_delivery_has_failed() {
        receiver = Receiver.answering(503);
        String key = boxq.newKey(null);
        String job = boxq.submit(key, Map.of("command", "exit 3", "callback_url", receiver.url("/hook")));

        JsonNode delivery = boxq.awaitDelivery(key, job, "failed");

        assertThat(delivery.get("attempts")).hasSize(3);
        assertThat(delivery.has("next_attempt_at")).isFalse();
        assertThat(json(receiver.requests().get(0)).get("type").asText()).isEqualTo("job.failed");
        assertThat(json(receiver.requests().get(0)).get("data").get("exit_code").asInt()).isEqualTo(3);
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
                .until(() -> receiver.requests().size() == 3);
    }

    @Test
    void a_410_stops_the_retries() {
        receiver = Receiver.answering(410);
        String key = boxq.newKey(null);
        String job = boxq.submit(key, Map.of("command", "echo gone", "callback_url", receiver.url("/hook")));

        JsonNode delivery = boxq.awaitDelivery(key, job, "stopped");

        assertThat(delivery.get("attempts")).hasSize(1);
        assertThat(delivery.get("attempts").get(0).get("status_code").asInt()).isEqualTo(410);
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
                .until(() -> receiver.requests().size() == 1);
    }

    @Test
    void a_410_from_the_keys_default_url_removes_it_so_later_jobs_do_not_call_it() {
        receiver = Receiver.answering(410);
        JsonNode record = boxq.newKeyRecord(receiver.url("/default"));
        String key = record.get("key").asText();
        String first = boxq.submit(key, Map.of("command", "echo one"));

        boxq.awaitDelivery(key, first, "stopped");

        await().atMost(Duration.ofSeconds(10)).until(() -> !boxq.keyView(record.get("id").asText()).has("webhook_url"));
        String second = boxq.submit(key, Map.of("command", "echo two"));
        assertThat(boxq.get("/v1/jobs/" + second + "?wait=20", key).json().get("state").asText()).isEqualTo("succeeded");
        assertThat(boxq.get("/v1/jobs/" + second + "/deliveries", key).json().get("state").asText()).isEqualTo("none");
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void a_job_with_its_own_callback_url_answering_410_leaves_the_keys_default_alone() {
        receiver = Receiver.answering(410);
        JsonNode record = boxq.newKeyRecord(receiver.url("/default"));
        String key = record.get("key").asText();
        String job = boxq.submit(key, Map.of("command", "echo own", "callback_url", receiver.url("/own")));

        boxq.awaitDelivery(key, job, "stopped");

        assertThat(boxq.keyView(record.get("id").asText()).get("webhook_url").asText()).isEqualTo(receiver.url("/default"));
    }

    @Test
    void the_admin_sets_and_clears_a_keys_default_url_with_patch() {
        receiver = Receiver.answering(204);
        JsonNode record = boxq.newKeyRecord(null);
        String key = record.get("key").asText();
        String path = "/v1/keys/" + record.get("id").asText();

        BoxqClient.Reply refused = boxq.patch(path, boxq.adminKey(), Map.of("webhook_url", "ftp://example.com/x"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("webhook_url");
        BoxqClient.Reply set = boxq.patch(path, boxq.adminKey(), Map.of("webhook_url", receiver.url("/patched")));
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("webhook_url").asText()).isEqualTo(receiver.url("/patched"));
        String called = boxq.submit(key, Map.of("command", "echo patched"));
        boxq.awaitDelivery(key, called, "delivered");
        assertThat(receiver.requests()).extracting(Receiver.Request::path).containsExactly("/patched");

        BoxqClient.Reply cleared = boxq.patch(path, boxq.adminKey(), "{\"webhook_url\": null}");
        assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
        assertThat(cleared.json().has("webhook_url")).isFalse();
        String quiet = boxq.submit(key, Map.of("command", "echo quiet"));
        assertThat(boxq.get("/v1/jobs/" + quiet + "/deliveries", key).json().get("state").asText()).isEqualTo("none");
    }

    @Test
    void a_redirect_is_not_followed_and_counts_as_a_failure() {
        receiver = new Receiver(i -> i == 0 ? 302 : 200);
        String key = boxq.newKey(null);
        String job = boxq.submit(key, Map.of("command", "echo moved", "callback_url", receiver.url("/hook")));

        JsonNode delivery = boxq.awaitDelivery(key, job, "delivered");

        assertThat(receiver.requests("/elsewhere")).isEmpty();
        assertThat(receiver.requests("/hook")).hasSize(2);
        JsonNode first = delivery.get("attempts").get(0);
        assertThat(first.get("status_code").asInt()).isEqualTo(302);
        assertThat(first.get("error").asText()).contains("redirect not followed");
    }

    @Test
    void a_receiver_that_never_answers_is_counted_as_a_timeout() {
        receiver = new Receiver(i -> i == 0 ? Receiver.HANG : 200);
        String key = boxq.newKey(null);
        String job = boxq.submit(key, Map.of("command", "echo slow", "callback_url", receiver.url("/hook")));

        JsonNode delivery = boxq.awaitDelivery(key, job, "delivered");

        JsonNode first = delivery.get("attempts").get(0);
        assertThat(first.has("status_code")).isFalse();
        assertThat(first.get("error").asText()).contains("timed out");
        assertThat(first.get("latency_ms").asLong()).isBetween(1_900L, 5_000L);
        assertThat(delivery.get("attempts").get(1).get("status_code").asInt()).isEqualTo(200);
    }

    @Test
    void during_a_rotation_both_secrets_sign_and_either_verifies() {
        receiver = Receiver.answering(200);
        String key = boxq.newKey(null);
        String old = boxq.webhookSecret(key);
        BoxqClient.Reply rotated = boxq.post("/v1/webhook-secret/rotate", key, "");
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String current = rotated.json().get("secret").asText();
        assertThat(current).startsWith("whsec_").isNotEqualTo(old);
        assertThat(Instant.parse(rotated.json().get("previous_secret_expires_at").asText()))
                .isAfter(Instant.now().plus(Duration.ofHours(23)));
        assertThat(boxq.webhookSecret(key)).isEqualTo(current);

        String job = boxq.submit(key, Map.of("command", "echo rotated", "callback_url", receiver.url("/hook")));
        boxq.awaitDelivery(key, job, "delivered");

        Receiver.Request request = receiver.requests().get(0);
        List<String> signatures = StandardWebhooksVerifier.signatures(request);
        assertThat(signatures).hasSize(2).allSatisfy(s -> assertThat(s).startsWith("v1,"));
        assertThat(StandardWebhooksVerifier.verifies(current, request)).isTrue();
        assertThat(StandardWebhooksVerifier.verifies(old, request)).isTrue();
        assertThat(StandardWebhooksVerifier.verifies(current, onlySignature(request, signatures.get(0)))).isTrue();
        assertThat(StandardWebhooksVerifier.verifies(old, onlySignature(request, signatures.get(1)))).isTrue();
    }

    @Test
    void a_keys_default_webhook_url_calls_back_jobs_that_name_none() {
        receiver = Receiver.answering(200);
        String key = boxq.newKey(receiver.url("/key-default"));
        String job = boxq.submit(key, Map.of("command", "echo default"));
        String own = boxq.submit(key, Map.of("command", "echo own", "callback_url", receiver.url("/own")));

        boxq.awaitDelivery(key, job, "delivered");
        boxq.awaitDelivery(key, own, "delivered");

        assertThat(receiver.requests("/key-default")).extracting(r -> json(r).get("data").get("id").asText())
                .containsExactly(job);
        assertThat(receiver.requests("/own")).extracting(r -> json(r).get("data").get("id").asText())
                .containsExactly(own);
    }

    @Test
    void output_in_the_body_is_cut_to_the_configured_size_with_a_flag() {
        receiver = Receiver.answering(200);
        String key = boxq.newKey(null);
        String job = boxq.submit(key, Map.of("command", "printf '%0100d' 0; echo oops >&2",
                "callback_url", receiver.url("/hook")));

        boxq.awaitDelivery(key, job, "delivered");

        JsonNode data = json(receiver.requests().get(0)).get("data");
        assertThat(data.get("stdout").asText()).isEqualTo("0".repeat(32));
        assertThat(data.get("stdout_truncated").asBoolean()).isTrue();
        assertThat(data.get("stdout_bytes").asInt()).isEqualTo(100);
        assertThat(data.get("stderr").asText()).isEqualTo("oops\n");
        assertThat(data.get("stderr_truncated").asBoolean()).isFalse();
        JsonNode full = boxq.get("/v1/jobs/" + job, key).json();
        assertThat(full.get("stdout").asText()).hasSize(100);
    }

    @Test
    void deliveries_of_another_keys_job_are_not_found_and_a_job_without_callback_has_none() {
        String owner = boxq.newKey(null);
        String job = boxq.submit(owner, Map.of("command", "echo mine"));

        BoxqClient.Reply other = boxq.get("/v1/jobs/" + job + "/deliveries", boxq.newKey(null));
        assertThat(other.status()).isEqualTo(404);
        assertThat(boxq.get("/v1/jobs/job_0000/deliveries", owner).status()).isEqualTo(404);
        JsonNode mine = boxq.get("/v1/jobs/" + job + "/deliveries", owner).json();
        assertThat(mine.get("state").asText()).isEqualTo("none");
        assertThat(mine.get("attempts")).isEmpty();
    }

    private static Receiver.Request onlySignature(Receiver.Request request, String signature) {
        Map<String, String> headers = new java.util.HashMap<>(request.headers());
        headers.put("webhook-signature", signature);
        return new Receiver.Request(request.path(), headers, request.body(), request.at());
    }

    private static JsonNode json(Receiver.Request request) {
        try {
            return Json.mapper().readTree(request.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(request.text(), e);
        }
    }
}
