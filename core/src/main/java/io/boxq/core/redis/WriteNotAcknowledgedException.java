package io.boxq.core.redis;

/**
 * A write reached the primary, but not as many replicas as {@code REDIS_WAIT_REPLICAS} asks
 * confirmed it in time: a failover now could forget it. Transient like any outage (the api answers
 * 503 with Retry-After); the write itself is safe to repeat (an Idempotency-Key retry, a fencing
 * token's retried start or completion).
 */
public class WriteNotAcknowledgedException extends StoreUnavailableException {
    public WriteNotAcknowledgedException(String message) {
        super(message, null);
    }
}
