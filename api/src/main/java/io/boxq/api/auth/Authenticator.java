package io.boxq.api.auth;

import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.RedisApiKeyStore;
import io.boxq.core.auth.Secrets;
import io.javalin.http.Context;

/**
 * Finds the caller's API key ({@code Authorization: Bearer <key>} or {@code X-API-Key}). The admin
 * key comes from the configuration and is never stored; every other key is looked up by its hash
 * on each request, so a revoked key fails on its very next request.
 */
public final class Authenticator {
    private static final String ATTRIBUTE = "boxq.apiKey";
    private static final int MAX_KEY_LENGTH = 256;

    private final RedisApiKeyStore keys;
    private final String adminSecret;

    public Authenticator(RedisApiKeyStore keys, String adminSecret) {
        this.keys = keys;
        this.adminSecret = adminSecret;
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
