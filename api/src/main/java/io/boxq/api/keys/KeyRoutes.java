package io.boxq.api.keys;

import io.boxq.api.auth.Authenticator;
import io.boxq.api.jobs.RequestBody;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.RedisApiKeyStore;
import io.boxq.core.auth.Tier;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Admin: {@code /v1/keys}. A new key's secret is in the create answer and nowhere else, ever. */
public final class KeyRoutes {
    private static final String NAME = "[A-Za-z0-9_.@-]{1,64}";

    private final RedisApiKeyStore keys;

    public KeyRoutes(RedisApiKeyStore keys) {
        this.keys = keys;
    }

    public void register(Javalin app) {
        app.post("/v1/keys", this::create);
        app.get("/v1/keys", this::list);
        app.delete("/v1/keys/{id}", this::revoke);
        app.patch("/v1/keys/{id}", this::change);
    }

    private void create(Context ctx) {
        Authenticator.admin(ctx);
        RequestBody b = RequestBody.parse(ctx.body(), Set.of("user", "tier", "name"));
        String user = b.string("user", true, 64);
        if (user != null && !user.matches(NAME)) {
            b.error("user", "may only hold letters, digits and _ . @ - (at most 64)");
        }
        Tier tier = tier(b);
        String name = b.string("name", false, 128);
        b.validate();
        RedisApiKeyStore.Created created = keys.create(user, tier == null ? Tier.FREE : tier, name);
        Map<String, Object> body = view(created.key());
        body.put("key", created.secret());
        ctx.status(HttpStatus.CREATED).json(body);
    }

    private void list(Context ctx) {
        Authenticator.admin(ctx);
        ctx.json(Map.of("keys", keys.list().stream().map(KeyRoutes::view).toList()));
    }

    private void revoke(Context ctx) {
        Authenticator.admin(ctx);
        if (!keys.revoke(ctx.pathParam("id"))) {
            throw ProblemException.notFound("key " + ctx.pathParam("id"));
        }
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void change(Context ctx) {
        Authenticator.admin(ctx);
        ApiKey key = keys.findById(ctx.pathParam("id"))
                .orElseThrow(() -> ProblemException.notFound("key " + ctx.pathParam("id")));
        RequestBody b = RequestBody.parse(ctx.body(), Set.of("tier"));
        Tier tier = tier(b);
        if (tier == null && !b.has("tier")) {
            b.error("tier", "is required");
        }
        b.validate();
        keys.setTier(key.user(), tier);
        ctx.json(view(keys.findById(key.id()).orElseThrow()));
    }

    private static Tier tier(RequestBody b) {
        String name = b.string("tier", false, 32);
        Tier tier = name == null ? null : Tier.fromWire(name);
        if (name != null && tier == null) {
            b.error("tier", "must be free, pro or enterprise");
        }
        return tier;
    }

    private static Map<String, Object> view(ApiKey key) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", key.id());
        v.put("user", key.user());
        v.put("tier", key.tier().wireName());
        v.put("name", key.name());
        v.put("created_at", key.createdAt().toString());
        return v;
    }
}
