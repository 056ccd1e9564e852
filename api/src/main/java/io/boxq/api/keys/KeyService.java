package io.boxq.api.keys;

import io.boxq.core.audit.AuditLog;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.KeyChange;
import io.boxq.core.auth.KeyOverrides;
import io.boxq.core.auth.RedisApiKeyStore;
import io.boxq.core.auth.Tier;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What an admin does to API keys, each step written once and audited: the routes parse and
 * answer, this class changes the store and records who did what.
 */
public final class KeyService {
    private final RedisApiKeyStore keys;
    private final AuditLog audit;
    private final Function<ApiKey, Map<String, String>> leftovers;

    /**
     * @param leftovers ends what a revoked key left (its jobs and sandboxes) and says what it ended,
     *     for the audit entry
     */
    public KeyService(RedisApiKeyStore keys, AuditLog audit, Function<ApiKey, Map<String, String>> leftovers) {
        this.keys = keys;
        this.audit = audit;
        this.leftovers = leftovers;
    }

    public RedisApiKeyStore.Created create(String actor, String user, Tier tier, String name, KeyOverrides overrides,
            String webhookUrl) {
        RedisApiKeyStore.Created created = keys.create(user, tier, name, overrides, webhookUrl);
        audit.record(actor, "key.created", created.key().id(),
                Map.of("user", user, "tier", created.key().tier().wireName()));
        return created;
    }

    /**
     * Revokes a key (refused from its very next request on), then ends the jobs and sandboxes it left.
     *
     * @return false when there is no such key
     */
    public boolean revoke(String actor, String id) {
        ApiKey key = keys.findById(id).orElse(null);
        if (key == null || !keys.revoke(key.id())) {
            return false;
        }
        audit.record(actor, "key.revoked", key.id(), leftovers.apply(key));
        return true;
    }

    /**
     * Writes {@code change} in one step, then audits each part of it.
     *
     * @return the key as it is now; empty when there is no such key (or it was revoked meanwhile)
     */
    public Optional<ApiKey> change(String actor, String id, KeyChange change) {
        ApiKey key = keys.findById(id).orElse(null);
        if (key == null || !keys.change(id, change)) {
            return Optional.empty();
        }
        if (change.tier() != null) {
            audit.record(actor, "tier.changed", key.user(), Map.of("tier", change.tier().wireName()));
        }
        if (change.changesLimits()) {
            audit.record(actor, "key.limits_changed", key.id(), Map.of());
        }
        if (change.webhookUrlChanged()) {
            audit.record(actor, "key.webhook_url_changed", key.id(),
                    Map.of("webhook_url", change.webhookUrl() == null ? "" : change.webhookUrl()));
        }
        return keys.findById(id);
    }
}
