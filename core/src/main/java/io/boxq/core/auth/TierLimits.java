package io.boxq.core.auth;

import java.time.Duration;
import java.util.List;

/**
 * What one tier allows: sandboxes held at once (per user), memory per container, sandbox lifetime,
 * jobs running at once, API requests per minute, and the OCI runtimes its containers may use
 * ({@code runtimes}, its default first; empty: only the deployment's default).
 */
public record TierLimits(int maxSandboxes, long memoryBytes, Duration maxLifetime, int concurrentJobs,
        int requestsPerMinute, List<String> runtimes) {
    public TierLimits {
        if (maxSandboxes < 0 || memoryBytes <= 0 || concurrentJobs <= 0 || maxLifetime.isNegative()
                || requestsPerMinute <= 0) {
            throw new IllegalArgumentException("tier limits must be positive");
        }
        runtimes = runtimes == null ? List.of() : List.copyOf(runtimes);
    }

    /** Limits whose containers use only the deployment's default runtime. */
    public TierLimits(int maxSandboxes, long memoryBytes, Duration maxLifetime, int concurrentJobs, int requestsPerMinute) {
        this(maxSandboxes, memoryBytes, maxLifetime, concurrentJobs, requestsPerMinute, List.of());
    }

    /**
     * The runtime of a container asked for with {@code requested} (null: this tier's default, else
     * {@code fallback}, the deployment's default), or null when these limits do not allow it.
     */
    public String runtimeFor(String requested, String fallback) {
        List<String> allowed = runtimes.isEmpty() ? List.of(fallback) : runtimes;
        if (requested == null) {
            return allowed.get(0);
        }
        return allowed.contains(requested) ? requested : null;
    }

    /** These limits with a key's own overrides applied (a null override keeps the tier's value). */
    public TierLimits with(KeyOverrides o) {
        if (o == null) {
            return this;
        }
        return new TierLimits(
                o.maxSandboxes() != null ? o.maxSandboxes() : maxSandboxes,
                o.memoryBytes() != null ? o.memoryBytes() : memoryBytes,
                maxLifetime,
                o.concurrentJobs() != null ? o.concurrentJobs() : concurrentJobs,
                o.requestsPerMinute() != null ? o.requestsPerMinute() : requestsPerMinute,
                o.runtimes() != null ? o.runtimes() : runtimes);
    }

    public static TierLimits defaultsFor(Tier tier) {
        return switch (tier) {
            case FREE -> new TierLimits(2, 256L << 20, Duration.ofHours(2), 2, 600);
            case PRO -> new TierLimits(10, 1L << 30, Duration.ofHours(24), 10, 6_000);
            case ENTERPRISE -> new TierLimits(50, 2L << 30, Duration.ofDays(7), 50, 60_000);
        };
    }
}
