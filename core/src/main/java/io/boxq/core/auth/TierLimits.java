package io.boxq.core.auth;

import java.time.Duration;

/** What one tier allows: sandboxes held at once, memory per container, sandbox lifetime, jobs at once. */
public record TierLimits(int maxSandboxes, long memoryBytes, Duration maxLifetime, int concurrentJobs) {
    public TierLimits {
        if (maxSandboxes < 0 || memoryBytes <= 0 || concurrentJobs <= 0 || maxLifetime.isNegative()) {
            throw new IllegalArgumentException("tier limits must be positive");
        }
    }

    public static TierLimits defaultsFor(Tier tier) {
        return switch (tier) {
            case FREE -> new TierLimits(2, 256L << 20, Duration.ofHours(2), 2);
            case PRO -> new TierLimits(10, 1L << 30, Duration.ofHours(24), 10);
            case ENTERPRISE -> new TierLimits(50, 2L << 30, Duration.ofDays(7), 50);
        };
    }
}
