package io.boxq.core.auth;

import java.util.Locale;

/** The service level of a user; every API key of the user has it (docs/architecture.md, "Sandboxes"). */
public enum Tier {
    FREE,
    PRO,
    ENTERPRISE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The tier for {@code name} ({@code free}, {@code pro}, {@code enterprise}), or null when unknown. */
    public static Tier fromWire(String name) {
        for (Tier tier : values()) {
            if (tier.wireName().equals(name)) {
                return tier;
            }
        }
        return null;
    }
}
