package io.boxq.core.webhook;

import io.boxq.core.redis.LuaScript;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An API key's webhook settings in {@code key:{k}:webhook}: its default webhook URL and its
 * {@code whsec_} signing secret, made on first use, plus the previous secret while a rotation
 * window runs.
 */
public final class RedisWebhookSettings {
    private static final LuaScript SECRET = LuaScript.load("/io/boxq/core/webhook/secret");
    private static final LuaScript ROTATE = LuaScript.load("/io/boxq/core/webhook/rotate");

    private final Redis redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final Duration rotationWindow;

    public RedisWebhookSettings(Redis redis, Clock clock, Duration rotationWindow) {
        this.redis = redis;
        this.keys = redis.keys();
        this.clock = clock;
        this.rotationWindow = rotationWindow;
    }

    /** The URL the key's jobs call back when they name none themselves. */
    public Optional<String> defaultUrl(String keyId) {
        return Optional.ofNullable(redis.call(j -> j.hget(keys.keyWebhook(keyId), "url")));
    }

    /** Sets, or with null removes, the key's default webhook URL. Check the URL first. */
    public void setDefaultUrl(String keyId, String url) {
        if (url == null) {
            redis.run(j -> j.hdel(keys.keyWebhook(keyId), "url"));
        } else {
            redis.run(j -> j.hset(keys.keyWebhook(keyId), "url", url));
        }
    }

    /** The key's secrets; the first read of a key makes its first secret. */
    public SigningSecrets secrets(String keyId) {
        return read(redis.call(j -> SECRET.run(j, List.of(keys.keyWebhook(keyId)), List.of(WebhookSigner.newSecret()))));
    }

    /** A new current secret; the old one keeps signing for the rotation window. */
    public SigningSecrets rotate(String keyId) {
        String until = Long.toString(clock.instant().plus(rotationWindow).toEpochMilli());
        return read(redis.call(j -> ROTATE.run(j, List.of(keys.keyWebhook(keyId)),
                List.of(WebhookSigner.newSecret(), until))));
    }

    private static SigningSecrets read(Object reply) {
        List<?> fields = (List<?>) reply;
        String expires = (String) fields.get(2);
        return new SigningSecrets((String) fields.get(0), (String) fields.get(1),
                expires == null ? null : Instant.ofEpochMilli(Long.parseLong(expires)));
    }
}
