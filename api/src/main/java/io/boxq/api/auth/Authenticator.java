package io.boxq.api.auth;

import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.ApiKeyCache;
import io.boxq.core.auth.Secrets;
import io.boxq.core.auth.Tier;
import io.boxq.core.auth.TierLimits;
import io.boxq.core.redis.RedisRateLimiter;
import io.javalin.http.Context;
import java.util.function.Function;

/**
 * Finds the caller's API key ({@code Authorization: Bearer <key>} or {@code X-API-Key}). The admin
 * key comes from the configuration and is never stored; every other key is looked up by its hash,
 * through a cache that every change to keys empties in every api process ({@link ApiKeyCache}), so a
 * revoked key fails on its very next request. Non-admin keys are rate limited per minute by their tier.
 */
public final class Authenticator {
    private static final String ATTRIBUTE = "boxq.apiKey";
    private static final int MAX_KEY_LENGTH = 256;

    private final ApiKeyCache keys;
    private final String adminSecret;
    private final RedisRateLimiter rates;
    private final Function<Tier, TierLimits> tiers;

    public Authenticator(ApiKeyCache keys, String adminSecret, RedisRateLimiter rates,
            Function<Tier, TierLimits> tiers) {
        this.keys = keys;
        this.adminSecret = adminSecret;
        this.rates = rates;
        this.tiers = tiers;
    }

    public void authenticate(Context ctx) {
        String secret = secretOf(ctx);
        if (secret == null) {
            throw ProblemException.unauthorized("send your API key as 'Authorization: Bearer <key>' or 'X-API-Key'");
        }
        ApiKey key;
        if (adminSecret != null && Secrets.constantTimeEquals(secret, adminSecret)) {
            key = ApiKey.adminKey();
        } else {
            key = keys.findBySecret(secret)
                    .orElseThrow(() -> ProblemException.unauthorized("the API key is unknown or revoked"));
        }
        ctx.attribute(ATTRIBUTE, key);
        if (!key.admin()) {
            enforceRate(ctx, key);
        }
    }

    private void enforceRate(Context ctx, ApiKey key) {
        RedisRateLimiter.Decision d = rates.hit(key.id(), key.limits(tiers).requestsPerMinute());
        ctx.header("X-RateLimit-Limit", Integer.toString(d.limit()));
        ctx.header("X-RateLimit-Remaining", Integer.toString(d.remaining()));
        ctx.header("X-RateLimit-Reset", Long.toString(d.resetSeconds()));
        if (!d.allowed()) {
            ctx.header("Retry-After", Long.toString(d.resetSeconds()));
            throw new ProblemException(Problem.of(429, "rate-limited", "Too many requests",
                    "this key may make " + d.limit() + " requests per minute; retry in " + d.resetSeconds() + " s"));
        }
    }

    public static ApiKey caller(Context ctx) {
        ApiKey key = ctx.attribute(ATTRIBUTE);
        if (key == null) {
            throw ProblemException.unauthorized("not authenticated");
        }
        return key;
    }

    public static ApiKey admin(Context ctx) {
        ApiKey key = caller(ctx);
        if (!key.admin()) {
            throw ProblemException.forbidden("this route needs the admin key");
        }
        return key;
    }

    private static String secretOf(Context ctx) {
        String header = ctx.header("Authorization");
        String secret = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            secret = header.substring(7).trim();
        } else if (ctx.header("X-API-Key") != null) {
            secret = ctx.header("X-API-Key").trim();
        }
        if (secret == null || secret.isEmpty() || secret.length() > MAX_KEY_LENGTH) {
            return null;
        }
        return secret;
    }
}
