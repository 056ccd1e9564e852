package io.boxq.core.config;

import java.time.Duration;
import java.util.List;

/**
 * Where Redis is, and the prefix of every key boxq writes (tests use their own prefix).
 *
 * @param url            the Redis of {@code REDIS_URL}; not used when {@code sentinels} are given
 * @param sentinels      {@code host:port} of the Sentinels that know the primary (empty: plain {@code url})
 * @param masterName     the name the Sentinels know the primary by (null without Sentinels)
 * @param password       the Redis password ({@code REDIS_PASSWORD}; null: the URL's, if any)
 * @param sentinelPassword the Sentinels' password (null: they have none)
 * @param waitReplicas   how many replicas must confirm a write that creates an obligation before it
 *                       is answered ({@code WAIT}); 0 answers once the primary has it
 * @param waitTimeout    how long such a write waits for them before it is answered 503
 */
public record RedisConfig(String url, String prefix, List<String> sentinels, String masterName, String password,
        String sentinelPassword, int waitReplicas, Duration waitTimeout) {
    public static final int DEFAULT_WAIT_TIMEOUT_MS = 1000;

    public RedisConfig {
        if (!prefix.endsWith(":")) {
            prefix = prefix + ":";
        }
        sentinels = List.copyOf(sentinels);
    }

    /** A plain Redis at {@code url}, no replicas waited for (tests, tools). */
    public RedisConfig(String url, String prefix) {
        this(url, prefix, List.of(), null, null, null, 0, Duration.ofMillis(DEFAULT_WAIT_TIMEOUT_MS));
    }

    public boolean usesSentinel() {
        return !sentinels.isEmpty();
    }

    /** The same Redis under another key prefix. */
    public RedisConfig withPrefix(String newPrefix) {
        return new RedisConfig(url, newPrefix, sentinels, masterName, password, sentinelPassword, waitReplicas,
                waitTimeout);
    }
}
