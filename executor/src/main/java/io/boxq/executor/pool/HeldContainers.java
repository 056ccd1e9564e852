package io.boxq.executor.pool;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * The four places a container of the pool can stand: unclaimed (warm, per shape), idle with its
 * key, busy with a job, or pinned to a sandbox. Not thread-safe: {@link PoolLedger} guards it.
 */
final class HeldContainers {
    private final Map<Shape, Deque<PooledContainer>> unclaimed = new HashMap<>();
    private final Map<String, Deque<PooledContainer>> idleByKey = new HashMap<>();
    private final Set<PooledContainer> busy = new HashSet<>();
    private final Set<PooledContainer> pinned = new HashSet<>();

    /** One the key holds idle, else an unclaimed one, made busy with the key's job. */
    Optional<PooledContainer> lease(String keyId, Shape shape) {
        Optional<PooledContainer> c = takeIdle(keyId, shape).or(() -> Optional.ofNullable(unclaimed(shape).pollFirst()));
        c.ifPresent(x -> {
            x.leaseTo(keyId);
            busy.add(x);
        });
        return c;
    }

    /** An unclaimed one, pinned to a sandbox. */
    Optional<PooledContainer> pin(Shape shape) {
        Optional<PooledContainer> c = Optional.ofNullable(unclaimed(shape).pollFirst());
        c.ifPresent(pinned::add);
        return c;
    }

    /** @throws IllegalStateException when it stands here already (it would be counted twice) */
    void add(PooledContainer c, Destination to) {
        if (holds(c)) {
            throw new IllegalStateException("container " + c + " is counted already");
        }
        if (to.sandbox()) {
            pinned.add(c);
        } else if (to.keyId() != null) {
            c.leaseTo(to.keyId());
            busy.add(c);
        } else {
            unclaimed(c.shape()).addLast(c);
        }
    }

    /** @return false when it was not busy */
    boolean idle(PooledContainer c, Instant now) {
        if (!busy.remove(c)) {
            return false;
        }
        c.touch(now);
        idleByKey.computeIfAbsent(c.leasedTo(), k -> new ArrayDeque<>()).addLast(c);
        return true;
    }

    boolean removeBusy(PooledContainer c) {
        return busy.remove(c);
    }

    /** @return false when it stood nowhere */
    boolean remove(PooledContainer c) {
        boolean held = holds(c);
        busy.remove(c);
        pinned.remove(c);
        forget(c);
        return held;
    }

    /** Removes and returns the waiting ones that fail {@code alive}. */
    List<PooledContainer> removeWaiting(Predicate<PooledContainer> doomed) {
        List<PooledContainer> out = new ArrayList<>();
        unclaimed.values().forEach(d -> d.removeIf(c -> doomed.test(c) && out.add(c)));
        idleByKey.values().forEach(d -> d.removeIf(c -> doomed.test(c) && out.add(c)));
        idleByKey.values().removeIf(Deque::isEmpty);
        return out;
    }

    /** Removes and returns idle containers of keys last used before {@code cutoff}. */
    List<PooledContainer> removeIdleSince(Instant cutoff) {
        List<PooledContainer> out = new ArrayList<>();
        idleByKey.values().forEach(d -> d.removeIf(c -> c.lastUsed().isBefore(cutoff) && out.add(c)));
        idleByKey.values().removeIf(Deque::isEmpty);
        return out;
    }

    /** Removes and returns the unclaimed containers of each shape beyond {@code target} of it, oldest first. */
    List<PooledContainer> removeUnclaimedAbove(ToIntFunction<Shape> target) {
        List<PooledContainer> out = new ArrayList<>();
        unclaimed.forEach((shape, waiting) -> {
            for (int extra = waiting.size() - target.applyAsInt(shape); extra > 0; extra--) {
                out.add(waiting.pollFirst());
            }
        });
        return out;
    }

    /** Removes and returns them all. */
    List<PooledContainer> clear() {
        List<PooledContainer> all = all().toList();
        unclaimed.clear();
        idleByKey.clear();
        busy.clear();
        pinned.clear();
        return all;
    }

    /** Unclaimed containers of other shapes go first, then the least recently used idle lease. */
    Optional<PooledContainer> reclaimable() {
        return unclaimed.values().stream().flatMap(Deque::stream).findFirst()
                .or(() -> idleByKey.values().stream().flatMap(Deque::stream)
                        .min(Comparator.comparing(PooledContainer::lastUsed)));
    }

    /** The shapes to start, one per container missing below each shape's target, at most {@code room}. */
    List<Shape> missingUnclaimed(Set<Shape> shapes, ToIntFunction<Shape> target, int room) {
        List<Shape> toStart = new ArrayList<>();
        for (Shape shape : shapes) {
            int missing = target.applyAsInt(shape) - unclaimed.getOrDefault(shape, new ArrayDeque<>()).size();
            for (int i = 0; i < missing && toStart.size() < room; i++) {
                toStart.add(shape);
            }
        }
        return toStart;
    }

    int busyCount() {
        return busy.size();
    }

    int pinnedCount() {
        return pinned.size();
    }

    /** The pool's figures, with {@code starting} containers on their way. */
    PoolStats stats(Predicate<PooledContainer> alive, int starting, int max) {
        int free = (int) unclaimed.values().stream().flatMap(Deque::stream).filter(alive).count();
        int idle = (int) idleByKey.values().stream().flatMap(Deque::stream).filter(alive).count();
        int allocated = busy.size() + idle + pinned.size();
        return new PoolStats(free, allocated, free + allocated + starting, max, busy.size(), pinned.size());
    }

    /** The figures of each shape held, sorted by label. */
    List<ShapeStats> shapeStats(ToIntFunction<Shape> target) {
        Map<Shape, int[]> counts = new HashMap<>(); // unclaimed, idle with keys, busy, pinned
        unclaimed.forEach((shape, d) -> counts.computeIfAbsent(shape, x -> new int[4])[0] += d.size());
        idleByKey.values().forEach(d -> d.forEach(c -> counts.computeIfAbsent(c.shape(), x -> new int[4])[1]++));
        busy.forEach(c -> counts.computeIfAbsent(c.shape(), x -> new int[4])[2]++);
        pinned.forEach(c -> counts.computeIfAbsent(c.shape(), x -> new int[4])[3]++);
        return counts.entrySet().stream()
                .map(e -> {
                    Shape s = e.getKey();
                    int[] n = e.getValue();
                    return new ShapeStats(s.label(), s.image(), s.memoryBytes(), s.network(), s.runtime(), n[0],
                            n[1] + n[2] + n[3], n[2], n[3], target.applyAsInt(s));
                })
                .sorted(Comparator.comparing(ShapeStats::shape))
                .toList();
    }

    /** Every container held, once for each place it stands in (twice would be a bug). */
    Stream<PooledContainer> all() {
        return Stream.of(unclaimed.values().stream().flatMap(Deque::stream),
                idleByKey.values().stream().flatMap(Deque::stream), busy.stream(), pinned.stream()).flatMap(s -> s);
    }

    boolean holds(PooledContainer c) {
        return all().anyMatch(c::equals);
    }

    private Optional<PooledContainer> takeIdle(String keyId, Shape shape) {
        Deque<PooledContainer> idle = idleByKey.get(keyId);
        if (idle == null) {
            return Optional.empty();
        }
        for (var it = idle.descendingIterator(); it.hasNext(); ) {
            PooledContainer c = it.next();
            if (c.shape().equals(shape)) {
                it.remove();
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private void forget(PooledContainer c) {
        unclaimed.values().forEach(d -> d.remove(c));
        idleByKey.values().forEach(d -> d.remove(c));
        idleByKey.values().removeIf(Deque::isEmpty);
    }

    private Deque<PooledContainer> unclaimed(Shape shape) {
        return unclaimed.computeIfAbsent(shape, s -> new ArrayDeque<>());
    }

    /**
     * Checks the ledger's invariants.
     *
     * @return null
     * @throws IllegalStateException naming the first that does not hold
     */
    Void verify(int starting, int removing, int max) {
        if (starting < 0 || removing < 0) {
            throw new IllegalStateException("negative count: starting " + starting + ", removing " + removing);
        }
        List<PooledContainer> held = all().toList();
        if (new HashSet<>(held).size() != held.size()) {
            throw new IllegalStateException("a container stands in two places: " + held);
        }
        if (held.size() + starting + removing > max) {
            throw new IllegalStateException("over the maximum: " + held.size() + " held, " + starting
                    + " starting, " + removing + " removing, max " + max);
        }
        return null;
    }
}
