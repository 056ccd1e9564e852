package io.boxq.core.config;

import java.time.Duration;

/** The warm pool of one node: start size, bounds, and when idle containers go away. */
public record PoolConfig(
        int poolSize, int minPoolSize, int maxPoolSize, boolean aggressiveCleanup, Duration idleTimeout) {
}
