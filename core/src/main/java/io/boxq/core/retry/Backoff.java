package io.boxq.core.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The wait between two tries of something that failed for a passing reason (Redis away or
 * switching, the Docker engine restarting): it doubles from {@code first} up to {@code max}, and
 * each wait is drawn between half of that and all of it ("equal jitter"), so that many loops that
 * failed together do not all come back in the same millisecond. Not thread-safe: one per loop.
 */
public final class Backoff {
    private final Duration first;
    private final Duration max;
    private final DoubleSupplier random;
    private Duration ceiling;

    public Backoff(Duration first, Duration max) {
        this(first, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random a value in [0, 1) for each wait (tests pass a fixed one) */
    public Backoff(Duration first, Duration max, DoubleSupplier random) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= max, got " + first + " and " + max);
        }
        this.first = first;
        this.max = max;
        this.random = random;
        this.ceiling = first;
    }

    /** The next wait; the one after it is up to twice as long, never over {@code max}. */
    public Duration next() {
        long ceilingNanos = ceiling.toNanos();
        long half = ceilingNanos / 2;
        Duration wait = Duration.ofNanos(half + (long) (random.getAsDouble() * (ceilingNanos - half)));
        Duration doubled = ceiling.multipliedBy(2);
        ceiling = doubled.compareTo(max) > 0 ? max : doubled;
        return wait;
    }

    /** Starts over from {@code first}: the thing worked again. */
    public void reset() {
        ceiling = first;
    }

    /**
     * Sleeps the next wait.
     *
     * @return false when interrupted (the thread's interrupt flag is set again): the caller stops
     */
    public boolean pause() {
        try {
            Thread.sleep(next());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
