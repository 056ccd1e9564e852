package io.boxq.core.webhook;

import java.time.Instant;
import java.util.List;

/**
 * The {@code whsec_} secrets of one API key: the current one, and after a rotation the previous one
 * until {@code previousExpiresAt}.
 */
public record SigningSecrets(String current, String previous, Instant previousExpiresAt) {
    public SigningSecrets {
        if (current == null || !current.startsWith(WebhookSigner.PREFIX)) {
            throw new IllegalArgumentException("a signing secret starts with " + WebhookSigner.PREFIX);
        }
    }

    /** True while the previous secret still signs. */
    public boolean inRotationWindow(Instant now) {
        return previous != null && previousExpiresAt != null && now.isBefore(previousExpiresAt);
    }

    /** The secrets that sign a webhook sent at {@code now}: the current one first. */
    public List<String> signing(Instant now) {
        return inRotationWindow(now) ? List.of(current, previous) : List.of(current);
    }
}
