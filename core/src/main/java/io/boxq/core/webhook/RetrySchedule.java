package io.boxq.core.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a delivery is attempted (docs/architecture.md, "Webhooks"): entry {@code i} is the delay before attempt
 * {@code i + 1}, so the first entry is the first attempt ("now") and after the last attempt the
 * delivery has failed. Every delay but zero gets ±{@value #JITTER_PERCENT} % of jitter, so receivers
 * that come back after an outage are not hit by every retry at the same instant.
 */
public final class RetrySchedule {
    public static final int JITTER_PERCENT = 20;

    private final List<Duration> delays;

    public RetrySchedule(List<Duration> delays) {
        if (delays.isEmpty() || delays.stream().anyMatch(Duration::isNegative)) {
            throw new IllegalArgumentException("a retry schedule needs at least one delay, none negative");
        }
        this.delays = List.copyOf(delays);
    }

    public int maxAttempts() {
        return delays.size();
    }

    /**
     * The wait before the next attempt, after {@code attemptsMade} failed ones.
     *
     * @return empty when no attempt is left: the delivery has failed
     */
    public Optional<Duration> delayAfter(int attemptsMade, RandomGenerator random) {
        if (attemptsMade < 0) {
            throw new IllegalArgumentException("attempts made: " + attemptsMade);
        }
        if (attemptsMade >= delays.size()) {
            return Optional.empty();
        }
        Duration base = delays.get(attemptsMade);
        if (base.isZero()) {
            return Optional.of(base);
        }
        double factor = 1 + (random.nextDouble() * 2 - 1) * JITTER_PERCENT / 100.0;
        return Optional.of(Duration.ofMillis(Math.round(base.toMillis() * factor)));
    }
}
