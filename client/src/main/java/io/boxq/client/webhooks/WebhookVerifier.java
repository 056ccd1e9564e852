package io.boxq.client.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a webhook delivery the Standard Webhooks way: {@code webhook-signature} holds one or more
 * {@code v1,<base64 HMAC-SHA256>} entries over {@code webhook-id.webhook-timestamp.body}, keyed by
 * the base64 after {@code whsec_}; one matching entry of any given secret (give the old one too
 * during a rotation) is enough. A timestamp more than {@link #TOLERANCE} away from now is refused,
 * so a recorded delivery cannot be replayed later.
 */
public final class WebhookVerifier {
    public static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final String PREFIX = "whsec_";

    private final List<byte[]> keys;
    private final Clock clock;

    public WebhookVerifier(String... secrets) {
        this(Clock.systemUTC(), secrets);
    }

    public WebhookVerifier(Clock clock, String... secrets) {
        if (secrets.length == 0) {
            throw new IllegalArgumentException("give at least one secret");
        }
        List<byte[]> k = new ArrayList<>();
        for (String s : secrets) {
            k.add(Base64.getDecoder().decode(s.startsWith(PREFIX) ? s.substring(PREFIX.length()) : s));
        }
        this.keys = List.copyOf(k);
        this.clock = clock;
    }

    /**
     * @param headers the delivery's headers (names in any case)
     * @throws WebhookVerificationException when a header is missing, the timestamp is out of
     *     tolerance or no signature matches
     */
    public void verify(Map<String, String> headers, byte[] body) {
        verify(header(headers, "webhook-id"), header(headers, "webhook-timestamp"),
                header(headers, "webhook-signature"), body);
    }

    public void verify(String id, String timestamp, String signatures, byte[] body) {
        if (id == null || timestamp == null || signatures == null) {
            throw new WebhookVerificationException("missing webhook-id, webhook-timestamp or webhook-signature");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new WebhookVerificationException("webhook-timestamp is not a number");
        }
        Duration skew = Duration.between(Instant.ofEpochSecond(seconds), clock.instant()).abs();
        if (skew.compareTo(TOLERANCE) > 0) {
            throw new WebhookVerificationException("webhook-timestamp is " + skew.toSeconds() + " s away from now");
        }
        byte[] signed = (id + "." + seconds + ".").getBytes(StandardCharsets.UTF_8);
        for (byte[] key : keys) {
            byte[] expected = sign(key, signed, body);
            for (String entry : signatures.trim().split(" +")) {
                if (entry.startsWith("v1,") && MessageDigest.isEqual(expected, decode(entry.substring(3)))) {
                    return;
                }
            }
        }
        throw new WebhookVerificationException("no signature matches");
    }

    private static byte[] sign(byte[] key, byte[] head, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(head);
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] decode(String b64) {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static String header(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }
}
