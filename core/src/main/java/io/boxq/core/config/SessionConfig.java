package io.boxq.core.config;

import java.time.Duration;
import java.util.OptionalInt;

/** Sandbox lifetimes and the ceilings under the tiers (DESIGN.md §7). */
public record SessionConfig(
        Duration sessionTimeout,
        Duration lifetimeCeiling,
        Duration cleanupInterval,
        int maxTotalSandboxes,
        OptionalInt maxPerApiKey,
        OptionalInt maxPerUser) {
}
