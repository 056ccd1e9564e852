package io.boxq.core.webhook;

import io.boxq.core.redis.LuaScript;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The {@code whsec_} signing secrets of API keys, in {@code key:{k}:whsec}: the current secret, made
 * on first use, and after a rotation the previous one with the end of its window. Kept apart from
 * the key's record so that the admin key (which has none in Redis) signs the same way.
 */
public final class RedisWebhookSecrets {
    private static final LuaScript SECRET = LuaScript.load("/io/boxq/core/webhook/secret");
    private static final LuaScript ROTATE = LuaScript.load("/io/boxq/core/webhook/rotate");

    private final Redis redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final Duration rotationWindow;

    public RedisWebhookSecrets(Redis redis, Clock clock, Duration rotationWindow) {
        this.redis = redis;
        this.keys = redis.keys();
        this.clock = clock;
        this.rotationWindow = rotationWindow;
    }

    /** The key's secrets; the first read of a key makes its first secret. */
    public SigningSecrets secrets(String keyId) {
        return read(redis.call(j -> SECRET.run(j, List.of(keys.webhookSecrets(keyId)),
                List.of(WebhookSigner.newSecret()))));
    }

    /** A new current secret; the old one keeps signing for the rotation window. */
    public SigningSecrets rotate(String keyId) {
        String until = Long.toString(clock.instant().plus(rotationWindow).toEpochMilli());
        return read(redis.call(j -> ROTATE.run(j, List.of(keys.webhookSecrets(keyId)),
                List.of(WebhookSigner.newSecret(), until))));
    }

    private static SigningSecrets read(Object reply) {
        List<?> fields = (List<?>) reply;
        String expires = (String) fields.get(2);
        return new SigningSecrets((String) fields.get(0), (String) fields.get(1),
                expires == null ? null : Instant.ofEpochMilli(Long.parseLong(expires)));
    }
}
