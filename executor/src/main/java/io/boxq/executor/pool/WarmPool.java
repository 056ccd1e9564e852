package io.boxq.executor.pool;

import io.boxq.core.config.PoolConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The containers of one node. Unclaimed warm containers wait per shape; once a container has run
 * a job of an API key it belongs to that key until it is destroyed. All of them together never
 * exceed {@code MAX_POOL_SIZE}; when that is reached, the least recently used idle container is
 * reclaimed so that idle leases never lock other keys out.
 */
public final class WarmPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);
    /** Parallel container starts; more only queue up inside the engine. */
    static final int CREATORS = 8;
    /** How long a job waits for a container while others are starting before it gives up. */
    static final Duration ACQUIRE_WAIT = Duration.ofSeconds(60);

    private final ContainerFactory factory;
    private final PoolConfig config;
    private final Clock clock;
    private final DemandTracker demand;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore creators = new Semaphore(CREATORS);

    private final Map<Shape, Deque<PooledContainer>> unclaimed = new HashMap<>();
    private final Map<String, Deque<PooledContainer>> idleByKey = new HashMap<>();
    private final Set<PooledContainer> busy = new HashSet<>();
    /** Containers that are sandboxes: held until the sandbox ends, never handed to jobs of the pool. */
    private final Set<PooledContainer> pinned = new HashSet<>();
    private int starting;
    /** Containers the pool let go of that the engine has not removed yet: they still count toward the maximum. */
    private int removing;
    private boolean closed;

    public WarmPool(ContainerFactory factory, PoolConfig config, Clock clock) {
        this.factory = factory;
        this.config = config;
        this.clock = clock;
        this.demand = new DemandTracker(clock, Duration.ofMinutes(1));
    }

    /**
     * A container of {@code shape} for {@code keyId}: one the key already holds, else a warm one,
     * else a new one (reclaiming the least recently used idle container when the pool is full).
     *
     * @throws PoolExhaustedException when every container is busy (callers read only as many jobs as
     *     {@link #freeCapacity()} allows, so this means a bug or a shutdown)
     */
    public PooledContainer acquire(String keyId, Shape shape) {
        PooledContainer victim = null;
        synchronized (this) {
            dropDead();
            demand.handedOut(shape, busy.size() + 1);
            long deadline = System.nanoTime() + ACQUIRE_WAIT.toNanos();
            while (true) {
                if (closed) {
                    throw new PoolExhaustedException("the pool is shutting down");
                }
                PooledContainer c = takeIdle(keyId, shape).or(() -> takeUnclaimed(shape)).orElse(null);
                if (c != null) {
                    c.leaseTo(keyId);
                    busy.add(c);
                    return c;
                }
                if (total() < config.maxPoolSize()) {
                    break;
                }
                victim = reclaimable().orElse(null);
                if (victim != null) {
                    forget(victim);
                    removing++;
                    break;
                }
                awaitChange(deadline, "all " + config.maxPoolSize() + " containers are busy");
            }
            if (victim == null) {
                starting++;
            }
        }
        if (victim != null) {
            replace(victim);
        }
        return createFor(keyId, shape);
    }

    /**
     * Removes a reclaimed container before its replacement starts (so the engine never holds more
     * than the maximum) and hands its place to the replacement.
     */
    private void replace(PooledContainer victim) {
        log.debug("removing container {} (reclaimed)", victim);
        try {
            factory.destroy(victim);
        } finally {
            synchronized (this) {
                removing--;
                starting++;
            }
        }
    }

    /** Waits for the pool to change (a start finished, a container came back) until {@code deadline}. */
    private void awaitChange(long deadline, String whyNot) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new PoolExhaustedException(whyNot);
        }
        try {
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PoolExhaustedException("interrupted while waiting for a container");
        }
    }

    /**
     * A container of {@code shape} that becomes a sandbox: taken out of the pool until
     * {@link #unpin} (a warm one when there is one, else a new one).
     */
    public PooledContainer acquireForSandbox(Shape shape) {
        PooledContainer victim = null;
        synchronized (this) {
            dropDead();
            demand.handedOut(shape, busy.size() + pinned.size() + 1);
            if (closed) {
                throw new PoolExhaustedException("the pool is shutting down");
            }
            PooledContainer c = takeUnclaimed(shape).orElse(null);
            if (c != null) {
                pinned.add(c);
                return c;
            }
            if (total() >= config.maxPoolSize()) {
                victim = reclaimable().orElseThrow(() -> new PoolExhaustedException(
                        "all " + config.maxPoolSize() + " containers of this node are in use"));
                forget(victim);
                removing++;
            } else {
                starting++;
            }
        }
        if (victim != null) {
            replace(victim);
        }
        try {
            PooledContainer c = withCreator(() -> factory.create(shape));
            synchronized (this) {
                starting--;
                pinned.add(c);
                notifyAll();
                return c;
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                starting--;
                notifyAll();
            }
            throw e;
        }
    }

    /** Ends a sandbox's container. */
    public void unpin(PooledContainer c) {
        synchronized (this) {
            pinned.remove(c);
            removing++;
        }
        destroyLater(c, "sandbox ended");
    }

    /** Returns a container after its job; it stays with its key, reset for the key's next job. */
    public void release(PooledContainer c, boolean needsReset) {
        if (c.runner().alive() && needsReset) {
            try {
                c.runner().reset();
            } catch (RuntimeException e) {
                log.warn("container {} could not be reset, discarding it: {}", c, e.getMessage());
            }
        }
        if (!c.runner().alive()) {
            discard(c);
            return;
        }
        synchronized (this) {
            if (!busy.remove(c)) {
                return;
            }
            if (closed) {
                removing++;
                destroyLater(c, "shutdown");
                return;
            }
            c.touch(clock.instant());
            idleByKey.computeIfAbsent(c.leasedTo(), k -> new ArrayDeque<>()).addLast(c);
            notifyAll();
        }
    }

    /** Removes a broken or used-up container; the pool refills on its next rebalance. */
    public void discard(PooledContainer c) {
        synchronized (this) {
            busy.remove(c);
            forget(c);
            removing++;
        }
        destroyLater(c, "discarded");
    }

    /** True once the pool is closing: it hands out nothing any more. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** How many jobs this node can run at once: every container not pinned to a sandbox. */
    public synchronized int jobCapacity() {
        return closed ? 0 : config.maxPoolSize() - pinned.size();
    }

    /** Whether a container for a new sandbox can be had without waiting for a job to end. */
    public synchronized boolean canPin() {
        return !closed && (unclaimed.values().stream().anyMatch(d -> !d.isEmpty())
                || total() < config.maxPoolSize() || reclaimable().isPresent());
    }

    /**
     * The pool's figures (for {@code /health}, the heartbeat that places sandboxes, and metrics). A
     * waiting container whose runner died is not counted: it will never be handed out, only
     * dropped by the next hand-out or rebalance.
     */
    public synchronized PoolStats stats() {
        int free = live(unclaimed);
        int leasedIdle = live(idleByKey);
        int allocated = busy.size() + leasedIdle + pinned.size();
        return new PoolStats(free, allocated, free + allocated + starting, config.maxPoolSize(), busy.size(),
                pinned.size());
    }

    /** The figures of each shape the pool holds or aims to hold, by shape label. */
    public synchronized List<ShapeStats> shapeStats() {
        Map<Shape, int[]> counts = new HashMap<>(); // available, idle of keys, busy, pinned
        unclaimed.forEach((shape, d) -> counts.computeIfAbsent(shape, x -> new int[4])[0] += d.size());
        idleByKey.values().forEach(d -> d.forEach(c -> counts.computeIfAbsent(c.shape(), x -> new int[4])[1]++));
        busy.forEach(c -> counts.computeIfAbsent(c.shape(), x -> new int[4])[2]++);
        pinned.forEach(c -> counts.computeIfAbsent(c.shape(), x -> new int[4])[3]++);
        return counts.entrySet().stream()
                .map(e -> {
                    Shape s = e.getKey();
                    int[] n = e.getValue();
                    return new ShapeStats(s.label(), s.image(), s.memoryBytes(), s.network(), s.runtime(), n[0], n[1] + n[2] + n[3],
                            n[2], n[3], target(s));
                })
                .sorted(java.util.Comparator.comparing(ShapeStats::shape))
                .toList();
    }

    /** The ids of every container the pool holds, for the orphan sweep. */
    public synchronized Set<String> containerIds() {
        Set<String> ids = new HashSet<>();
        unclaimed.values().forEach(d -> d.forEach(c -> ids.add(c.id())));
        idleByKey.values().forEach(d -> d.forEach(c -> ids.add(c.id())));
        busy.forEach(c -> ids.add(c.id()));
        pinned.forEach(c -> ids.add(c.id()));
        return ids;
    }

    /**
     * Grows the unclaimed containers of each shape in demand (and of {@code defaultShape}) towards
     * its target; starts them in parallel and returns when they are up.
     *
     * @return how many containers were started
     */
    public int rebalance(Shape defaultShape) {
        factory.retryRemovals();
        List<Shape> toStart = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return 0;
            }
            dropDead();
            Set<Shape> shapes = new HashSet<>(demand.shapes());
            shapes.add(defaultShape);
            int room = config.maxPoolSize() - total();
            for (Shape shape : shapes) {
                int missing = target(shape) - unclaimed(shape).size() - countStarting(toStart, shape);
                for (int i = 0; i < missing && room > 0; i++, room--) {
                    toStart.add(shape);
                }
            }
            starting += toStart.size();
        }
        return startAll(toStart);
    }

    /**
     * Destroys idle containers of keys unused for longer than the idle timeout, and unclaimed
     * containers above the target of their shape.
     *
     * @return how many were destroyed
     */
    public int shrink() {
        List<PooledContainer> doomed = new ArrayList<>();
        synchronized (this) {
            Instant cutoff = clock.instant().minus(config.idleTimeout());
            for (Iterator<Deque<PooledContainer>> it = idleByKey.values().iterator(); it.hasNext(); ) {
                Deque<PooledContainer> idle = it.next();
                idle.removeIf(c -> c.lastUsed().isBefore(cutoff) && doomed.add(c));
                if (idle.isEmpty()) {
                    it.remove();
                }
            }
            for (Map.Entry<Shape, Deque<PooledContainer>> e : unclaimed.entrySet()) {
                int extra = e.getValue().size() - target(e.getKey());
                for (int i = 0; i < extra; i++) {
                    doomed.add(e.getValue().pollFirst());
                }
            }
            removing += doomed.size();
        }
        doomed.forEach(c -> destroyLater(c, "idle"));
        return doomed.size();
    }

    @Override
    public void close() {
        List<PooledContainer> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            notifyAll();
            unclaimed.values().forEach(all::addAll);
            idleByKey.values().forEach(all::addAll);
            all.addAll(busy);
            all.addAll(pinned);
            pinned.clear();
            unclaimed.clear();
            idleByKey.clear();
            busy.clear();
            removing += all.size();
        }
        all.forEach(c -> destroyLater(c, "shutdown"));
        background.close();
    }

    private PooledContainer createFor(String keyId, Shape shape) {
        try {
            PooledContainer c = withCreator(() -> factory.create(shape));
            synchronized (this) {
                starting--;
                c.leaseTo(keyId);
                busy.add(c);
                return c;
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                starting--;
                notifyAll();
            }
            throw e;
        }
    }

    private int startAll(List<Shape> shapes) {
        List<java.util.concurrent.Future<Boolean>> started = new ArrayList<>();
        for (Shape shape : shapes) {
            started.add(background.submit(() -> startUnclaimed(shape)));
        }
        int ok = 0;
        for (var f : started) {
            try {
                ok += f.get() ? 1 : 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                log.warn("warming a container failed: {}", e.getCause().getMessage());
            }
        }
        return ok;
    }

    private boolean startUnclaimed(Shape shape) {
        PooledContainer c;
        try {
            c = withCreator(() -> factory.create(shape));
        } catch (RuntimeException e) {
            synchronized (this) {
                starting--;
                notifyAll();
            }
            log.warn("could not warm a {} container: {}", shape.label(), e.getMessage());
            return false;
        }
        synchronized (this) {
            starting--;
            notifyAll();
            if (!closed) {
                unclaimed(shape).addLast(c);
                return true;
            }
            removing++;
        }
        destroyLater(c, "shutdown");
        return false;
    }

    private PooledContainer withCreator(java.util.function.Supplier<PooledContainer> create) {
        creators.acquireUninterruptibly();
        try {
            return create.get();
        } finally {
            creators.release();
        }
    }

    private Optional<PooledContainer> takeIdle(String keyId, Shape shape) {
        Deque<PooledContainer> idle = idleByKey.get(keyId);
        if (idle == null) {
            return Optional.empty();
        }
        for (Iterator<PooledContainer> it = idle.descendingIterator(); it.hasNext(); ) {
            PooledContainer c = it.next();
            if (c.shape().equals(shape)) {
                it.remove();
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * Lets go of waiting containers whose runner died (the container was killed, the engine
     * restarted), so that no job is handed a dead one and the rebalance replaces them.
     */
    private void dropDead() {
        List<PooledContainer> dead = new ArrayList<>();
        unclaimed.values().forEach(d -> d.removeIf(c -> !c.runner().alive() && dead.add(c)));
        idleByKey.values().forEach(d -> d.removeIf(c -> !c.runner().alive() && dead.add(c)));
        idleByKey.values().removeIf(Deque::isEmpty);
        if (!dead.isEmpty()) {
            log.warn("{} waiting containers died (killed, or the engine restarted); replacing them", dead.size());
            removing += dead.size();
            dead.forEach(c -> destroyLater(c, "its runner died"));
        }
    }

    private static int live(Map<?, Deque<PooledContainer>> waiting) {
        return (int) waiting.values().stream().flatMap(Deque::stream).filter(c -> c.runner().alive()).count();
    }

    private Optional<PooledContainer> takeUnclaimed(Shape shape) {
        return Optional.ofNullable(unclaimed(shape).pollFirst());
    }

    /** Unclaimed containers of other shapes go first, then the least recently used idle lease. */
    private Optional<PooledContainer> reclaimable() {
        Optional<PooledContainer> spare = unclaimed.values().stream().flatMap(Deque::stream).findFirst();
        if (spare.isPresent()) {
            return spare;
        }
        return idleByKey.values().stream().flatMap(Deque::stream).min(Comparator.comparing(PooledContainer::lastUsed));
    }

    private void forget(PooledContainer c) {
        unclaimed.values().forEach(d -> d.remove(c));
        idleByKey.values().forEach(d -> d.remove(c));
        idleByKey.values().removeIf(Deque::isEmpty);
    }

    private Deque<PooledContainer> unclaimed(Shape shape) {
        return unclaimed.computeIfAbsent(shape, s -> new ArrayDeque<>());
    }

    private int target(Shape shape) {
        return PoolSizing.target(config.minPoolSize(), config.maxPoolSize(), config.poolSize(),
                demand.recentPeak(shape), demand.warmingUp(), demand.quiet(shape), config.aggressiveCleanup());
    }

    private int total() {
        int n = busy.size() + pinned.size() + starting + removing;
        for (Deque<PooledContainer> d : unclaimed.values()) {
            n += d.size();
        }
        for (Deque<PooledContainer> d : idleByKey.values()) {
            n += d.size();
        }
        return n;
    }

    private static int countStarting(List<Shape> planned, Shape shape) {
        return (int) planned.stream().filter(shape::equals).count();
    }

    /** Removes a container the pool has let go of; the caller counted it in {@link #removing}. */
    private void destroyLater(PooledContainer c, String why) {
        log.debug("removing container {} ({})", c, why);
        try {
            background.execute(() -> destroy(c));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            destroy(c);
        }
    }

    private void destroy(PooledContainer c) {
        try {
            factory.destroy(c);
        } finally {
            synchronized (this) {
                removing--;
                notifyAll();
            }
        }
    }
}
