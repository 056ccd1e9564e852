package io.boxq.executor.pool;

import io.boxq.core.config.PoolConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Where each container of a node stands, and how many are starting or being removed: the pool's
 * bookkeeping, with no I/O. {@link WarmPool} asks it what to do, does the Docker work outside its
 * lock, and reports back. Its invariants, checked by {@link #verify} and by {@code PoolLedgerTest}:
 * a container stands in one place at most; {@code starting} and {@code removing} never go below
 * zero; everything held, starting or being removed never exceeds {@code MAX_POOL_SIZE}.
 */
final class PoolLedger {
    /** How far back the demand of a shape is remembered when sizing its warm containers. */
    static final Duration DEMAND_WINDOW = Duration.ofMinutes(1);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PoolConfig config;
    private final Clock clock;
    private final DemandTracker demand;
    private final Predicate<PooledContainer> alive;
    private final HeldContainers held = new HeldContainers();
    private int starting;
    /** Containers let go of that the engine has not removed yet: they still count toward the maximum. */
    private int removing;
    private boolean closed;

    /** @param alive whether a waiting container can still be handed out (its runner answers) */
    PoolLedger(PoolConfig config, Clock clock, Predicate<PooledContainer> alive) {
        this.config = config;
        this.clock = clock;
        this.alive = alive;
        this.demand = new DemandTracker(clock, DEMAND_WINDOW);
    }

    /**
     * A container of {@code shape} for a job of {@code keyId}: one the key holds, else an unclaimed
     * one, else room to start one (reclaiming the least recently used idle container when full),
     * waiting up to {@code wait} while every container is busy.
     *
     * @throws PoolExhaustedException when the wait ran out or the pool closed
     */
    Grant acquire(String keyId, Shape shape, Duration wait) {
        return locked(() -> {
            demand.handedOut(shape, held.busyCount() + 1);
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                requireOpen();
                Optional<Grant> grant = held.lease(keyId, shape).map(c -> new Grant(c, null)).or(this::room);
                if (grant.isPresent()) {
                    return grant.get();
                }
                awaitChange(deadline, "all " + config.maxPoolSize() + " containers are busy");
            }
        });
    }

    /** A container of {@code shape} for a sandbox: an unclaimed one, else room to start one; never waits. */
    Grant pin(Shape shape) {
        return locked(() -> {
            demand.handedOut(shape, held.busyCount() + held.pinnedCount() + 1);
            requireOpen();
            return held.pin(shape).map(c -> new Grant(c, null)).or(this::room)
                    .orElseThrow(() -> new PoolExhaustedException(
                            "all " + config.maxPoolSize() + " containers of this node are in use"));
        });
    }

    /** Room for one more start: below the maximum, or by letting the most reclaimable container go. */
    private Optional<Grant> room() {
        if (total() < config.maxPoolSize()) {
            starting++;
            return Optional.of(new Grant(null, null));
        }
        Optional<PooledContainer> victim = held.reclaimable();
        victim.ifPresent(v -> {
            held.remove(v);
            removing++;
        });
        return victim.map(v -> new Grant(null, v));
    }

    /** A reclaimed container is gone: its place goes to the start it made room for. */
    void victimRemoved() {
        locked(() -> {
            removing = decremented(removing, "being removed");
            return ++starting;
        });
    }

    /**
     * A start finished: the container goes to {@code to}.
     *
     * @return false when it is unwanted (the pool closed meanwhile): the caller removes it, already
     *     counted as removing
     */
    boolean admit(PooledContainer c, Destination to) {
        return locked(() -> {
            int left = decremented(starting, "starting");
            boolean wanted = !closed || !to.equals(Destination.UNCLAIMED);
            if (wanted) {
                held.add(c, to);
            } else {
                removing++;
            }
            starting = left;
            return wanted;
        });
    }

    /** A start failed: its place is free again. */
    void startFailed() {
        locked(() -> starting = decremented(starting, "starting"));
    }

    /**
     * A container is back from its job and stays with its key.
     *
     * @return true when the caller must remove it instead (the pool is closing; counted as removing)
     */
    boolean release(PooledContainer c) {
        return locked(() -> {
            if (closed && held.removeBusy(c)) {
                removing++;
                return true;
            }
            held.idle(c, clock.instant());
            return false;
        });
    }

    /**
     * Lets a container go from wherever it stands (busy, pinned or waiting).
     *
     * @return true when it stood here: the caller removes it (counted as removing); false when the
     *     ledger had let it go already (the pool closed), so that nobody counts or removes it twice
     */
    boolean letGo(PooledContainer c) {
        return locked(() -> held.remove(c) && ++removing > 0);
    }

    /** The engine removed a container the ledger let go of. */
    void removed() {
        locked(() -> removing = decremented(removing, "being removed"));
    }

    /** Lets go of waiting containers that are no longer alive; the caller removes them (counted as removing). */
    List<PooledContainer> dropDead() {
        return letGoAll(() -> held.removeWaiting(alive.negate()));
    }

    /**
     * The shapes to start so that each shape in demand (and {@code defaultShape}) reaches its
     * target of unclaimed containers, within the maximum; they are counted as starting.
     */
    List<Shape> planWarmUps(Shape defaultShape) {
        return locked(() -> {
            if (closed) {
                return List.of();
            }
            Set<Shape> shapes = new HashSet<>(demand.shapes());
            shapes.add(defaultShape);
            List<Shape> toStart = held.missingUnclaimed(shapes, this::target, config.maxPoolSize() - total());
            starting += toStart.size();
            return toStart;
        });
    }

    /**
     * Lets go of idle containers of keys unused for longer than the idle timeout, and of unclaimed
     * containers above the target of their shape; the caller removes them (counted as removing).
     */
    List<PooledContainer> planShrink() {
        return letGoAll(() -> {
            List<PooledContainer> doomed = held.removeIdleSince(clock.instant().minus(config.idleTimeout()));
            doomed.addAll(held.removeUnclaimedAbove(this::target));
            return doomed;
        });
    }

    /** Closes the ledger and lets go of every container it holds; the caller removes them. */
    List<PooledContainer> close() {
        return letGoAll(() -> {
            closed = true;
            return held.clear();
        });
    }

    boolean isClosed() {
        return locked(() -> closed);
    }

    /** How many jobs can run at once: every container not pinned to a sandbox. */
    int jobCapacity() {
        return locked(() -> closed ? 0 : config.maxPoolSize() - held.pinnedCount());
    }

    /** The figures; a waiting container that is no longer alive is not counted (see {@link WarmPool#stats}). */
    PoolStats stats() {
        return locked(() -> held.stats(alive, starting, config.maxPoolSize()));
    }

    /** The figures of each shape held or aimed at, by shape label. */
    List<ShapeStats> shapeStats() {
        return locked(() -> held.shapeStats(this::target));
    }

    /** The ids of every container held. */
    Set<String> containerIds() {
        return locked(() -> held.all().map(PooledContainer::id).collect(Collectors.toSet()));
    }

    int starting() {
        return locked(() -> starting);
    }

    int removing() {
        return locked(() -> removing);
    }

    /** Everything held, starting or being removed: what counts toward the maximum. */
    int total() {
        return locked(() -> (int) held.all().count() + starting + removing);
    }

    /** @throws IllegalStateException naming the first invariant that does not hold */
    void verify() {
        locked(() -> held.verify(starting, removing, config.maxPoolSize()));
    }

    private void requireOpen() {
        if (closed) {
            throw new PoolExhaustedException("the pool is shutting down");
        }
    }

    /** Guards the counters: a report of a start or removal the ledger did not grant is a bug. */
    private static int decremented(int count, String what) {
        if (count <= 0) {
            throw new IllegalStateException("no container is " + what);
        }
        return count - 1;
    }

    private void awaitChange(long deadline, String whyNot) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new PoolExhaustedException(whyNot);
        }
        try {
            changed.await(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PoolExhaustedException("interrupted while waiting for a container");
        }
    }

    private int target(Shape shape) {
        return PoolSizing.target(config.minPoolSize(), config.maxPoolSize(), config.poolSize(),
                demand.recentPeak(shape), demand.warmingUp(), demand.quiet(shape), config.aggressiveCleanup());
    }

    /** Lets go of what {@code which} takes out of the held containers, counting them as removing. */
    private List<PooledContainer> letGoAll(Supplier<List<PooledContainer>> which) {
        return locked(() -> {
            List<PooledContainer> gone = which.get();
            removing += gone.size();
            return gone;
        });
    }

    /** Runs {@code what} under the lock, then wakes whoever waits for a change (a no-op when nothing waits). */
    private <T> T locked(Supplier<T> what) {
        lock.lock();
        try {
            return what.get();
        } finally {
            changed.signalAll();
            lock.unlock();
        }
    }
}
