package io.boxq.core.webhook;

import java.time.Instant;

/**
 * One attempt to deliver a webhook, as the delivery log keeps it.
 *
 * @param statusCode the receiver's HTTP status, or null when no answer came (refused, timed out)
 * @param error why the attempt did not deliver, or null when it did
 * @param response the start of the receiver's answer body, for debugging, or null
 */
public record DeliveryAttempt(
        int attempt, Instant at, Integer statusCode, long latencyMs, String error, String response) {
}
