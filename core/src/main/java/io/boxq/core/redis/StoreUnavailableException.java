package io.boxq.core.redis;

/** Redis cannot be reached right now: transient, the caller may retry (the api answers 503). */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
