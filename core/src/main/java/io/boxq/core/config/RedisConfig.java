package io.boxq.core.config;

/** Where Redis is, and the prefix of every key boxq writes (tests use their own prefix). */
public record RedisConfig(String url, String prefix) {
    public RedisConfig {
        if (!prefix.endsWith(":")) {
            prefix = prefix + ":";
        }
    }
}
