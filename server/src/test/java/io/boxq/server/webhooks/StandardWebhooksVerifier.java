package io.boxq.server.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's check of a webhook, written from the Standard Webhooks specification and
 * independent of boxq's signer: the signed content is {@code id.timestamp.body}, the key is the
 * base64 part of the {@code whsec_} secret, the signature header holds space-separated
 * {@code v1,<base64 HMAC-SHA256>} entries of which one must match, and the timestamp must be recent.
 */
final class StandardWebhooksVerifier {
    private static final Duration TOLERANCE = Duration.ofMinutes(5);

    private StandardWebhooksVerifier() {}

    /** True when one signature of the request was made with {@code secret} and the timestamp is recent. */
    static boolean verifies(String secret, Receiver.Request request) {
        String id = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        String signatures = request.header("webhook-signature");
        if (id == null || timestamp == null || signatures == null) {
            return false;
        }
        long seconds = Long.parseLong(timestamp);
        if (Duration.between(Instant.ofEpochSecond(seconds), Instant.now()).abs().compareTo(TOLERANCE) > 0) {
            return false;
        }
        byte[] expected = hmac(secret, id + "." + timestamp + "." + request.text());
        for (String entry : signatures.split(" ")) {
            int comma = entry.indexOf(',');
            if (comma > 0 && entry.substring(0, comma).equals("v1")
                    && MessageDigest.isEqual(expected, Base64.getDecoder().decode(entry.substring(comma + 1)))) {
                return true;
            }
        }
        return false;
    }

    /** The signatures of the header, e.g. {@code [v1,abc=, v1,def=]}. */
    static List<String> signatures(Receiver.Request request) {
        return new ArrayList<>(List.of(request.header("webhook-signature").split(" ")));
    }

    private static byte[] hmac(String secret, String content) {
        String base64 = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64), "HmacSHA256"));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
