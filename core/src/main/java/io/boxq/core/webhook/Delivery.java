package io.boxq.core.webhook;

import java.time.Instant;
import java.util.List;

/**
 * The webhook delivery of one job: the same {@code webhookId} on every attempt, where it goes, how it
 * stands, and its attempts, oldest first.
 */
public record Delivery(
        String jobId,
        String webhookId,
        String url,
        String event,
        DeliveryStatus status,
        int attempts,
        Instant lastAttemptAt,
        Instant nextAttemptAt,
        List<DeliveryAttempt> log) {

    public Delivery {
        log = List.copyOf(log);
    }

    /** The {@code webhook-id} of a job's delivery: stable across retries, so receivers can deduplicate. */
    public static String webhookIdOf(String jobId) {
        return "msg_" + jobId;
    }
}
