package io.boxq.core.config;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * Sandbox lifetimes and the ceilings under the tiers (docs/architecture.md, "Sandboxes"). (Named
 * {@code SessionConfig} once, after the seed's "sessions", which are boxq's sandboxes.)
 *
 * @param sessionTimeout a sandbox's default idle timeout ({@code SESSION_TIMEOUT_MINUTES}, the seed's name)
 * @param endedRetention how long an ended sandbox's record stays readable by its owner (zero: not at all)
 */
public record SandboxLimitsConfig(
        Duration sessionTimeout,
        Duration lifetimeCeiling,
        Duration cleanupInterval,
        int maxTotalSandboxes,
        OptionalInt maxPerApiKey,
        OptionalInt maxPerUser,
        Duration endedRetention) {

    /** Default of {@code ENDED_SANDBOX_RETENTION_SECONDS}. */
    public static final Duration DEFAULT_ENDED_RETENTION = Duration.ofHours(1);
}
