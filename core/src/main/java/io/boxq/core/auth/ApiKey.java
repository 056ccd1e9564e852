package io.boxq.core.auth;

import java.time.Instant;

/**
 * An API key as boxq knows it. The secret itself is never stored, only its SHA-256.
 *
 * @param id the public id of the key (used in key names, logs and audit; safe to show)
 * @param user the user the key belongs to; the user's tier applies to all of their keys
 * @param overrides limits of this key that replace its tier's
 * @param webhookUrl the key's default callback URL, or null
 */
public record ApiKey(String id, String user, Tier tier, String name, boolean admin, Instant createdAt,
        KeyOverrides overrides, String webhookUrl) {
    public static final String ADMIN_ID = "admin";

    public ApiKey {
        overrides = overrides == null ? KeyOverrides.NONE : overrides;
    }

    public static ApiKey adminKey() {
        return new ApiKey(ADMIN_ID, ADMIN_ID, Tier.ENTERPRISE, "admin (BOXQ_ADMIN_KEY)", true, Instant.EPOCH,
                KeyOverrides.NONE, null);
    }

    /** What this key may use: its tier's limits with its own overrides applied. */
    public TierLimits limits(java.util.function.Function<Tier, TierLimits> tiers) {
        return tiers.apply(tier).with(overrides);
    }
}
