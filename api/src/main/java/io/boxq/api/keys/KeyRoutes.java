package io.boxq.api.keys;

import io.boxq.api.auth.Authenticator;
import io.boxq.api.request.RequestBody;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.KeyChange;
import io.boxq.core.auth.KeyOverrides;
import io.boxq.core.auth.TierLimits;
import io.boxq.core.auth.RedisApiKeyStore;
import io.boxq.core.auth.Tier;
import io.boxq.core.webhook.CallbackUrlCheck;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Admin: {@code /v1/keys}. A new key's secret is in the create answer and nowhere else, ever. */
public final class KeyRoutes {
    private static final String NAME = "[A-Za-z0-9_.@-]{1,64}";

    /** The limit overrides by their request field. */
    private static final Map<String, KeyOverrides.Limit> LIMIT_FIELDS = Map.of(
            "max_sandboxes", KeyOverrides.Limit.MAX_SANDBOXES,
            "memory_mb", KeyOverrides.Limit.MEMORY,
            "concurrent_jobs", KeyOverrides.Limit.CONCURRENT_JOBS,
            "requests_per_minute", KeyOverrides.Limit.REQUESTS_PER_MINUTE,
            "runtimes", KeyOverrides.Limit.RUNTIMES);
    private static final Set<String> CREATE_FIELDS = union(LIMIT_FIELDS.keySet(),
            Set.of("user", "tier", "name", "webhook_url"));
    private static final Set<String> PATCH_FIELDS = union(LIMIT_FIELDS.keySet(), Set.of("tier", "webhook_url"));

    private final RedisApiKeyStore keys;
    private final KeyService service;
    private final Function<ApiKey, TierLimits> limits;
    private final CallbackUrlCheck webhookUrls;
    private List<String> allowedRuntimes = List.of();

    public KeyRoutes(RedisApiKeyStore keys, KeyService service, Function<ApiKey, TierLimits> limits,
            CallbackUrlCheck webhookUrls) {
        this.keys = keys;
        this.service = service;
        this.limits = limits;
        this.webhookUrls = webhookUrls;
    }

    /** The runtimes a key's {@code runtimes} override may name ({@code ALLOWED_RUNTIMES}). */
    public KeyRoutes offering(List<String> runtimes) {
        this.allowedRuntimes = List.copyOf(runtimes);
        return this;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    public void register(Javalin app) {
        app.post("/v1/keys", this::create);
        app.get("/v1/keys", this::list);
        app.delete("/v1/keys/{id}", this::revoke);
        app.patch("/v1/keys/{id}", this::change);
    }

    private void create(Context ctx) {
        Authenticator.admin(ctx);
        RequestBody b = RequestBody.parse(ctx.body(), CREATE_FIELDS);
        String user = b.string("user", true, 64);
        if (user != null && !user.matches(NAME)) {
            b.error("user", "may only hold letters, digits and _ . @ - (at most 64)");
        } else if (ApiKey.ADMIN_ID.equals(user)) { // its sandboxes would count against a user's tier
            b.error("user", "'" + ApiKey.ADMIN_ID + "' is the admin key's own user");
        }
        Tier tier = tier(b);
        String name = b.string("name", false, 128);
        KeyOverrides overrides = overrides(b);
        String webhookUrl = webhookUrl(b);
        b.validate();
        RedisApiKeyStore.Created created =
                service.create(Authenticator.caller(ctx).id(), user, tier, name, overrides, webhookUrl);
        Map<String, Object> body = view(created.key());
        body.put("key", created.secret());
        ctx.status(HttpStatus.CREATED).json(body);
    }

    private void list(Context ctx) {
        Authenticator.admin(ctx);
        ctx.json(Map.of("keys", keys.list().stream().map(this::view).toList()));
    }

    /** Revokes a key (refused from its very next request on), then ends the jobs and sandboxes it left. */
    private void revoke(Context ctx) {
        Authenticator.admin(ctx);
        if (!service.revoke(Authenticator.caller(ctx).id(), ctx.pathParam("id"))) {
            throw ProblemException.notFound("key " + ctx.pathParam("id"));
        }
        ctx.status(HttpStatus.NO_CONTENT);
    }

    /** Changes a key's tier, limits or webhook URL in one step: a reader sees all of it or none. */
    private void change(Context ctx) {
        Authenticator.admin(ctx);
        String id = ctx.pathParam("id");
        if (keys.findById(id).isEmpty()) {
            throw ProblemException.notFound("key " + id);
        }
        RequestBody b = RequestBody.parse(ctx.body(), PATCH_FIELDS);
        KeyChange change = new KeyChange(tier(b), overrides(b), cleared(b), b.names("webhook_url"),
                webhookUrl(b)); // a null or empty URL removes it
        if (change.isEmpty()) {
            b.error("body", "name a tier, a limit or webhook_url to change");
        }
        b.validate();
        ApiKey changed = service.change(Authenticator.caller(ctx).id(), id, change)
                .orElseThrow(() -> ProblemException.notFound("key " + id));
        ctx.json(view(changed));
    }

    private KeyOverrides overrides(RequestBody b) {
        Integer sandboxes = b.has("max_sandboxes") ? b.integer("max_sandboxes", 0, 0, 10_000) : null;
        Long memory = b.has("memory_mb") ? (long) b.integer("memory_mb", 256, 16, 1 << 20) << 20 : null;
        Integer jobs = b.has("concurrent_jobs") ? b.integer("concurrent_jobs", 1, 1, 100_000) : null;
        Integer rate = b.has("requests_per_minute") ? b.integer("requests_per_minute", 1, 1, 100_000_000) : null;
        return new KeyOverrides(sandboxes, memory, jobs, rate, b.has("runtimes") ? runtimes(b) : null);
    }

    /** {@code runtimes}: one to eight of ALLOWED_RUNTIMES, the key's default first. */
    private List<String> runtimes(RequestBody b) {
        com.fasterxml.jackson.databind.node.ArrayNode a = b.array("runtimes", 1, 8);
        if (a == null) {
            return null;
        }
        List<String> names = new java.util.ArrayList<>();
        a.forEach(n -> names.add(n.isTextual() ? n.asText() : n.toString()));
        List<String> unknown = names.stream().filter(n -> !allowedRuntimes.contains(n)).toList();
        if (!unknown.isEmpty()) {
            b.error("runtimes", "names " + unknown + ", not offered here (ALLOWED_RUNTIMES is " + allowedRuntimes + ")");
        }
        return List.copyOf(new java.util.LinkedHashSet<>(names));
    }

    /** The limits the body names as {@code null}: they fall back to the tier. */
    private static Set<KeyOverrides.Limit> cleared(RequestBody b) {
        Set<KeyOverrides.Limit> cleared = EnumSet.noneOf(KeyOverrides.Limit.class);
        LIMIT_FIELDS.forEach((field, limit) -> {
            if (b.names(field) && !b.has(field)) {
                cleared.add(limit);
            }
        });
        return cleared;
    }

    /** The body's {@code webhook_url}, checked; null when absent, null or empty. */
    private String webhookUrl(RequestBody b) {
        String url = b.string("webhook_url", false, 2048);
        if (url == null || url.isEmpty()) {
            return null;
        }
        webhookUrls.problem(url).ifPresent(problem -> b.error("webhook_url", problem));
        return url;
    }

    private static Tier tier(RequestBody b) {
        String name = b.string("tier", false, 32);
        Tier tier = name == null ? null : Tier.fromWire(name);
        if (name != null && tier == null) {
            b.error("tier", "must be free, pro or enterprise");
        }
        return tier;
    }

    private Map<String, Object> view(ApiKey key) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", key.id());
        v.put("user", key.user());
        v.put("tier", key.tier().wireName());
        v.put("name", key.name());
        v.put("created_at", key.createdAt().toString());
        TierLimits l = limits.apply(key);
        v.put("limits", Map.of("max_sandboxes", l.maxSandboxes(), "memory_mb", l.memoryBytes() >> 20,
                "concurrent_jobs", l.concurrentJobs(), "requests_per_minute", l.requestsPerMinute(),
                "max_lifetime_s", l.maxLifetime().toSeconds(), "runtimes", l.runtimes()));
        if (key.webhookUrl() != null) {
            v.put("webhook_url", key.webhookUrl());
        }
        return v;
    }
}
