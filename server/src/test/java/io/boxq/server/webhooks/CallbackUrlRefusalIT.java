package io.boxq.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SSRF at submit and the signing secret's routes, against an api with the default policy (private
 * addresses refused, nothing allow-listed). No executor runs: nothing here needs Docker.
 */
class CallbackUrlRefusalIT {
    private static WebhookCalls boxq;
    private static String key;

    @BeforeAll
    static void start() {
        boxq = WebhookCalls.start("webhook-refusal", Map.of("WEBHOOK_SECRET_ROTATION_WINDOW_SECONDS", "3600"), false);
        key = boxq.newKey(null);
    }

    @AfterAll
    static void stop() {
        if (boxq != null) {
            boxq.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hook", "http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/",
            "http://localhost:9000/hook", "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://[fd00:ec2::254]/",
            "http://100.100.100.200/", "http://192.168.1.10/", "http://0.0.0.0:80/"})
    void a_callback_url_to_a_private_loopback_link_local_or_metadata_address_is_a_400(String url) {
        BoxqClient.Reply reply = boxq.post("/v1/jobs", key, Map.of("command", "echo x", "callback_url", url));

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        JsonNode problem = reply.json();
        assertThat(problem.get("errors")).hasSize(1);
        assertThat(problem.get("errors").get(0).get("field").asText()).isEqualTo("callback_url");
        assertThat(problem.get("errors").get(0).get("message").asText()).contains("webhooks may not reach");
    }

    @Test
    void the_refusal_of_a_host_name_does_not_tell_which_address_it_resolved_to() {
        BoxqClient.Reply reply = boxq.post("/v1/jobs", key,
                Map.of("command", "echo x", "callback_url", "http://localhost:9000/hook"));

        assertThat(reply.json().get("errors").get(0).get("message").asText())
                .startsWith("resolves to a loopback address").doesNotContain("127.0.0.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://hooks.example.com/x", "file:///etc/passwd", "not a url", "//hooks.example.com/x",
            "https://user:secret@hooks.example.com/"})
    void a_malformed_callback_url_is_a_400(String url) {
        BoxqClient.Reply reply = boxq.post("/v1/jobs", key, Map.of("command", "echo x", "callback_url", url));

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().get("errors").get(0).get("field").asText()).isEqualTo("callback_url");
    }

    @Test
    void a_public_callback_url_is_accepted() {
        BoxqClient.Reply reply = boxq.post("/v1/jobs", key,
                Map.of("command", "echo x", "callback_url", "https://93.184.215.14/hook"));

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
    }

    @Test
    void a_keys_default_webhook_url_is_checked_the_same_way() {
        BoxqClient.Reply reply = boxq.post("/v1/keys", boxq.adminKey(),
                Map.of("user", "hooky", "webhook_url", "http://169.254.169.254/latest/"));

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().get("errors").get(0).get("field").asText()).isEqualTo("webhook_url");
    }

    @Test
    void a_key_reads_its_own_stable_secret_and_rotation_keeps_the_old_one_for_the_window() {
        String other = boxq.newKey(null);
        String first = boxq.webhookSecret(key);

        assertThat(first).startsWith("whsec_");
        assertThat(boxq.webhookSecret(key)).isEqualTo(first);
        assertThat(boxq.webhookSecret(other)).isNotEqualTo(first);
        assertThat(boxq.get("/v1/webhook-secret", key).json().has("previous_secret_expires_at")).isFalse();

        BoxqClient.Reply rotated = boxq.post("/v1/webhook-secret/rotate", key, "");
        String second = rotated.json().get("secret").asText();
        Instant expires = Instant.parse(rotated.json().get("previous_secret_expires_at").asText());

        assertThat(second).startsWith("whsec_").isNotEqualTo(first);
        assertThat(expires).isBetween(Instant.now().plus(Duration.ofMinutes(59)), Instant.now().plus(Duration.ofMinutes(61)));
        assertThat(boxq.webhookSecret(key)).isEqualTo(second);
        assertThat(boxq.webhookSecret(other)).isNotEqualTo(second);
    }

    @Test
    void the_secret_needs_an_api_key() {
        assertThat(boxq.get("/v1/webhook-secret", "bq_nobody").status()).isEqualTo(401);
        assertThat(boxq.post("/v1/webhook-secret/rotate", "bq_nobody", "").status()).isEqualTo(401);
    }
}
