package io.boxq.executor.pool;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Remembers, per shape, the most containers in use at once and when one was last handed out. */
final class DemandTracker {
    private final Clock clock;
    private final Duration window;
    private final Instant started;
    private final Map<Shape, Instant> lastHandout = new HashMap<>();
    private final Map<Shape, Integer> peak = new HashMap<>();
    private final Map<Shape, Instant> peakAt = new HashMap<>();

    DemandTracker(Clock clock, Duration window) {
        this.clock = clock;
        this.window = window;
        this.started = clock.instant();
    }

    void handedOut(Shape shape, int inUse) {
        Instant now = clock.instant();
        lastHandout.put(shape, now);
        if (recentPeak(shape) <= inUse) {
            peak.put(shape, inUse);
            peakAt.put(shape, now);
        }
    }

    int recentPeak(Shape shape) {
        Instant at = peakAt.get(shape);
        return at == null || at.isBefore(clock.instant().minus(window)) ? 0 : peak.get(shape);
    }

    boolean quiet(Shape shape) {
        Instant last = lastHandout.get(shape);
        return last == null || last.isBefore(clock.instant().minus(window));
    }

    boolean warmingUp() {
        return clock.instant().isBefore(started.plus(window));
    }

    /** Shapes handed out within the window. */
    Set<Shape> shapes() {
        Instant cutoff = clock.instant().minus(window);
        lastHandout.values().removeIf(t -> t.isBefore(cutoff));
        return Set.copyOf(lastHandout.keySet());
    }
}
