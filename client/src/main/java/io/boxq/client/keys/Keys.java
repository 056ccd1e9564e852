package io.boxq.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.client.http.Call;
import io.boxq.client.http.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keys (admin key only; any other gets {@link io.boxq.client.errors.ForbiddenException}), and what
 * every key may ask of itself: its quota usage and its webhook secret.
 */
public final class Keys {
    private final Transport transport;

    public Keys(Transport transport) {
        this.transport = transport;
    }

    /** A new key; its secret is {@link ApiKey#key()} of this answer and nowhere else. */
    public ApiKey create(KeyRequest request) {
        return transport.sendJson(Call.post("/v1/keys", transport.toJson(request)), ApiKey.class);
    }

    public List<ApiKey> list() {
        List<ApiKey> out = new ArrayList<>();
        for (JsonNode k : transport.sendJson(Call.get("/v1/keys")).path("keys")) {
            out.add(transport.json().convertValue(k, ApiKey.class));
        }
        return out;
    }

    /**
     * Changes a key: {@code tier}, a limit ({@code max_sandboxes}, {@code memory_mb},
     * {@code concurrent_jobs}, {@code requests_per_minute}; a null value returns it to the tier's)
     * or {@code webhook_url}.
     */
    public ApiKey update(String id, Map<String, Object> changes) {
        byte[] body = transport.toJson(changes); // Map keeps explicit nulls: they mean "back to the tier"
        return transport.sendJson(Call.patch("/v1/keys/" + Call.q(id), body), ApiKey.class);
    }

    /** Revokes a key: its next request is {@code 401}, its jobs are cancelled and its sandboxes destroyed. */
    public void revoke(String id) {
        transport.send(Call.delete("/v1/keys/" + Call.q(id)));
    }

    /** The caller's tier, limits, current use and 7 days of history ({@code GET /v1/quota/usage}). */
    public JsonNode quotaUsage() {
        return transport.sendJson(Call.get("/v1/quota/usage"));
    }

    /** The caller's {@code whsec_} webhook secret (and, within the rotation window, the previous one). */
    public JsonNode webhookSecret() {
        return transport.sendJson(Call.get("/v1/webhook-secret"));
    }

    public JsonNode rotateWebhookSecret() {
        return transport.sendJson(Call.post("/v1/webhook-secret/rotate", null));
    }
}
