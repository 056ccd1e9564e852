package io.boxq.core.auth;

import java.util.EnumSet;
import java.util.Set;

/**
 * What one PATCH of a key changes, written in one step by {@link RedisApiKeyStore#change}: the
 * user's {@code tier} (null keeps it), the limits {@code set} and those {@code cleared} back to the
 * tier, and the webhook URL when {@code webhookUrlChanged} ({@code webhookUrl} null removes it).
 */
public record KeyChange(Tier tier, KeyOverrides set, Set<KeyOverrides.Limit> cleared, boolean webhookUrlChanged,
        String webhookUrl) {
    public KeyChange {
        set = set == null ? KeyOverrides.NONE : set;
        cleared = cleared.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(cleared));
    }

    public boolean isEmpty() {
        return tier == null && !changesLimits() && !webhookUrlChanged;
    }

    public boolean changesLimits() {
        return !set.isEmpty() || !cleared.isEmpty();
    }
}
