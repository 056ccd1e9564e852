package io.boxq.client.webhooks;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Signatures made by hand the way the Standard Webhooks spec says, checked by the verifier. */
class WebhookVerifierTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);
    private static final String OTHER = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
    private static final Instant NOW = Instant.parse("2026-12-07T05:00:00Z");
    private static final byte[] BODY = "{\"id\":\"job_1\"}".getBytes(StandardCharsets.UTF_8);

    private final WebhookVerifier verifier = new WebhookVerifier(Clock.fixed(NOW, ZoneOffset.UTC), SECRET);

    @Test
    void a_body_signed_with_the_secret_verifies_with_header_names_in_any_case() {
        Map<String, String> h = signed(KEY, NOW, BODY);
        assertThatCode(() -> verifier.verify(h, BODY)).doesNotThrowAnyException();
        assertThatCode(() -> verifier.verify(Map.of("Webhook-Id", h.get("webhook-id"), "WEBHOOK-TIMESTAMP",
                h.get("webhook-timestamp"), "webhook-Signature", h.get("webhook-signature")), BODY))
                .doesNotThrowAnyException();
    }

    @Test
    void one_matching_entry_of_several_and_any_of_several_secrets_is_enough() {
        Map<String, String> h = signed(KEY, NOW, BODY);
        String both = "v1,bm9wZQ== " + h.get("webhook-signature");
        assertThatCode(() -> new WebhookVerifier(Clock.fixed(NOW, ZoneOffset.UTC), OTHER, SECRET)
                .verify(h.get("webhook-id"), h.get("webhook-timestamp"), both, BODY)).doesNotThrowAnyException();
    }

    @Test
    void a_changed_body_another_secret_an_old_timestamp_or_a_missing_header_is_refused() {
        Map<String, String> h = signed(KEY, NOW, BODY);
        assertThatThrownBy(() -> verifier.verify(h, "{\"id\":\"job_2\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new WebhookVerifier(Clock.fixed(NOW, ZoneOffset.UTC), OTHER).verify(h, BODY))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> verifier.verify(signed(KEY, NOW.minusSeconds(301), BODY), BODY))
                .isInstanceOf(WebhookVerificationException.class).hasMessageContaining("away from now");
        assertThatThrownBy(() -> verifier.verify(Map.of("webhook-id", "msg_1"), BODY))
                .isInstanceOf(WebhookVerificationException.class).hasMessageContaining("missing");
    }

    private static Map<String, String> signed(byte[] key, Instant at, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(("msg_1." + at.getEpochSecond() + ".").getBytes(StandardCharsets.UTF_8));
            String sig = Base64.getEncoder().encodeToString(mac.doFinal(body));
            return Map.of("webhook-id", "msg_1", "webhook-timestamp", Long.toString(at.getEpochSecond()),
                    "webhook-signature", "v1," + sig);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
