package io.boxq.core.auth;

import io.boxq.core.redis.Redis;
import io.boxq.core.redis.Subscription;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * API keys found by secret, kept in this process so a request does not read its key from Redis.
 * A key is held for at most {@link #TTL}, and only while this process follows
 * {@code keys:changed}: every change to a key or a tier is announced there ({@link RedisApiKeyStore}),
 * and the message empties the cache, so a revoked key fails on its next request in every api
 * process. Changes made through this process's own store empty it before the change returns. While
 * the subscription is down (and when it comes back) nothing is served from the cache: keys are
 * read from Redis as before. Unknown secrets are never cached. The TTL bounds the harm of a lost
 * message on a connection that died without Redis or the client noticing.
 */
public final class ApiKeyCache implements AutoCloseable {
    static final Duration TTL = Duration.ofSeconds(10);
    private static final int MAX_ENTRIES = 10_000;

    private record Entry(ApiKey key, long loadedAt) {}

    private final RedisApiKeyStore store;
    private final Map<String, Entry> bySecretHash = new ConcurrentHashMap<>();
    /** Bumped by every change: a read that began before a change is not cached. */
    private final AtomicLong generation = new AtomicLong();
    private final Subscription subscription;

    public ApiKeyCache(Redis redis, RedisApiKeyStore store) {
        this.store = store;
        this.subscription = new Subscription(redis, redis.keys().keysChangedChannel(), m -> clear(), this::clear);
        store.onChange(this::clear);
    }

    public ApiKeyCache start() {
        subscription.start();
        return this;
    }

    /** The key whose secret is {@code secret}, with its user's tier; empty when unknown or revoked. */
    public Optional<ApiKey> findBySecret(String secret) {
        String hash = Secrets.sha256(secret);
        Entry e = bySecretHash.get(hash);
        long now = System.nanoTime();
        if (e != null && now - e.loadedAt() < TTL.toNanos() && subscription.subscribed()) {
            return Optional.of(e.key());
        }
        long before = generation.get();
        boolean cacheable = subscription.subscribed();
        Optional<ApiKey> found = store.findBySecretHash(hash);
        if (found.isPresent() && cacheable) {
            if (bySecretHash.size() >= MAX_ENTRIES) {
                bySecretHash.clear();
            }
            bySecretHash.put(hash, new Entry(found.get(), now));
            if (generation.get() != before) {
                bySecretHash.remove(hash); // a change came while it was read: the read may be stale
            }
        } else {
            bySecretHash.remove(hash);
        }
        return found;
    }

    private void clear() {
        generation.incrementAndGet();
        bySecretHash.clear();
    }

    @Override
    public void close() {
        subscription.close();
    }
}
