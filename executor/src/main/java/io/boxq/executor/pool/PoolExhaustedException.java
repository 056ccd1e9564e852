package io.boxq.executor.pool;

/** No container can be had right now. */
public class PoolExhaustedException extends RuntimeException {
    public PoolExhaustedException(String message) {
        super(message);
    }
}
