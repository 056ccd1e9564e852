package io.boxq.core.auth;

import io.boxq.core.id.RandomIds;
import io.boxq.core.redis.LuaScript;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisKeys;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * API keys in Redis: {@code apikey:{sha256}} holds the key's record, {@code apikeys} maps key ids to
 * hashes (for listing and revoking), {@code user:{u}} holds the user's tier. Every change to a key
 * that exists, or to a user's tier, is announced on {@code keys:changed} right after it is written
 * (and told at once to the listeners of this instance), so api processes that cache keys
 * ({@link ApiKeyCache}) drop them before their next request.
 */
public final class RedisApiKeyStore {
    private static final LuaScript CHANGE = LuaScript.load("/io/boxq/core/auth/key_change");
    private static final LuaScript DEL_IF_EQUAL = LuaScript.load("hdel_if_equal");

    private final Redis redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RedisApiKeyStore(Redis redis, Clock clock) {
        this.redis = redis;
        this.keys = redis.keys();
        this.clock = clock;
    }

    /** A newly made key: the secret is shown to the caller once and never again. */
    public record Created(ApiKey key, String secret) {}

    /**
     * Makes a key for {@code user}; {@code tier}, when given, becomes the user's tier (for all of
     * the user's keys), else the user keeps theirs (free for a new user).
     */
    public Created create(String user, Tier tier, String name, KeyOverrides overrides, String webhookUrl) {
        String id = "key_" + RandomIds.hex(8);
        String secret = "bq_" + RandomIds.hex(24);
        String hash = Secrets.sha256(secret);
        Instant now = clock.instant();
        Map<String, String> fields = new HashMap<>(overrides == null ? Map.of() : overrides.toHash());
        fields.put("id", id);
        fields.put("user", user);
        fields.put("name", name == null ? "" : name);
        fields.put("created_at", Long.toString(now.toEpochMilli()));
        if (webhookUrl != null) {
            fields.put("webhook_url", webhookUrl);
        }
        redis.acknowledged(j -> {
            if (tier != null) {
                j.hset(keys.user(user), "tier", tier.wireName());
            } else {
                j.hsetnx(keys.user(user), "tier", Tier.FREE.wireName());
            }
            j.hset(keys.apiKey(hash), fields);
            return j.hset(keys.apiKeyIndex(), id, hash);
        });
        if (tier != null) {
            changed(); // the user's other keys have the new tier
        }
        return new Created(findByHash(hash).orElseThrow(), secret);
    }

    /**
     * Writes {@code change} to the key {@code id} in one step (one script): no reader ever sees part
     * of it, and a key revoked meanwhile stays revoked.
     *
     * @return false when there is no such key
     */
    public boolean change(String id, KeyChange change) {
        String hash = redis.call(j -> j.hget(keys.apiKeyIndex(), id));
        ApiKey key = hash == null ? null : findByHash(hash).orElse(null);
        if (key == null) {
            return false;
        }
        List<String> args = new ArrayList<>(List.of(id, change.tier() == null ? "" : change.tier().wireName(),
                !change.webhookUrlChanged() ? "keep" : change.webhookUrl() == null ? "del" : "set",
                change.webhookUrl() == null ? "" : change.webhookUrl(), Integer.toString(change.cleared().size())));
        change.cleared().forEach(l -> args.add(l.field));
        change.set().toHash().forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        Object done = redis.acknowledged(j -> CHANGE.run(j, List.of(keys.apiKey(hash), keys.user(key.user())), args));
        if (!Long.valueOf(1).equals(done)) {
            return false;
        }
        changed();
        return true;
    }

    /**
     * Removes the key's default webhook URL if it is still {@code url} (its receiver answered 410);
     * a URL the admin set since stays.
     *
     * @return true when it was removed
     */
    public boolean dropWebhookUrl(String id, String url) {
        String hash = redis.call(j -> j.hget(keys.apiKeyIndex(), id));
        if (hash == null) {
            return false;
        }
        Object removed = redis.call(j -> DEL_IF_EQUAL.run(j, List.of(keys.apiKey(hash)), List.of("webhook_url", url)));
        boolean dropped = Long.valueOf(1).equals(removed);
        if (dropped) {
            changed();
        }
        return dropped;
    }

    /** The key whose secret is {@code secret}, with its user's current tier; empty when unknown or revoked. */
    public Optional<ApiKey> findBySecret(String secret) {
        return findByHash(Secrets.sha256(secret));
    }

    /** Like {@link #findBySecret}, by the secret's SHA-256 (hex). */
    public Optional<ApiKey> findBySecretHash(String hash) {
        return findByHash(hash);
    }

    public List<ApiKey> list() {
        List<ApiKey> result = new ArrayList<>();
        for (String hash : redis.call(j -> j.hvals(keys.apiKeyIndex()))) {
            findByHash(hash).ifPresent(result::add);
        }
        return result;
    }

    public Optional<ApiKey> findById(String id) {
        String hash = redis.call(j -> j.hget(keys.apiKeyIndex(), id));
        return hash == null ? Optional.empty() : findByHash(hash);
    }

    /** @return false when there was no such key */
    public boolean revoke(String id) {
        String hash = redis.call(j -> j.hget(keys.apiKeyIndex(), id));
        if (hash == null) {
            return false;
        }
        redis.acknowledged(j -> {
            j.del(keys.apiKey(hash));
            return j.hdel(keys.apiKeyIndex(), id);
        });
        changed();
        return true;
    }

    /** {@code listener} runs after every change this instance writes (before the call returns). */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    /**
     * Tells this process's listeners, then every api process, that keys changed. Should the message
     * not go out (Redis went away just after the write), caches still drop keys within their TTL.
     */
    private void changed() {
        changeListeners.forEach(Runnable::run);
        redis.run(j -> j.publish(keys.keysChangedChannel(), "changed"));
    }

    private Optional<ApiKey> findByHash(String hash) {
        Map<String, String> h = redis.call(j -> j.hgetAll(keys.apiKey(hash)));
        if (h.isEmpty()) {
            return Optional.empty();
        }
        String user = h.get("user");
        Tier tier = Tier.fromWire(redis.call(j -> j.hget(keys.user(user), "tier")));
        return Optional.of(new ApiKey(h.get("id"), user, tier == null ? Tier.FREE : tier, h.get("name"), false,
                Instant.ofEpochMilli(Long.parseLong(h.getOrDefault("created_at", "0"))), KeyOverrides.fromHash(h),
                h.get("webhook_url")));
    }
}
