package io.boxq.executor.pool;

import io.boxq.core.config.PoolConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The containers of one node. Unclaimed warm containers wait per shape; once a container has run
 * a job of an API key it belongs to that key until it is destroyed. All of them together never
 * exceed {@code MAX_POOL_SIZE}; when that is reached, the least recently used idle container is
 * reclaimed so that idle leases never lock other keys out.
 *
 * <p>The bookkeeping is {@link PoolLedger}'s; this class does the Docker work the ledger asks for,
 * never under the ledger's lock, and reports each start and removal back to it.
 */
public final class WarmPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);
    /** Parallel container starts; more only queue up inside the engine. */
    static final int CREATORS = 8;
    /** How long a job waits for a container while others are starting before it gives up. */
    static final Duration ACQUIRE_WAIT = Duration.ofSeconds(60);

    private final ContainerFactory factory;
    private final PoolLedger ledger;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore creators = new Semaphore(CREATORS);

    public WarmPool(ContainerFactory factory, PoolConfig config, Clock clock) {
        this.factory = factory;
        this.ledger = new PoolLedger(config, clock, c -> c.runner().alive());
    }

    /**
     * A container of {@code shape} for {@code keyId}: one the key already holds, else a warm one,
     * else a new one (reclaiming the least recently used idle container when the pool is full).
     *
     * @throws PoolExhaustedException when every container is busy (callers read only as many jobs as
     *     {@link #jobCapacity()} allows, so this means a bug or a shutdown)
     */
    public PooledContainer acquire(String keyId, Shape shape) {
        removeDead();
        return take(ledger.acquire(keyId, shape, ACQUIRE_WAIT), shape, Destination.leasedTo(keyId));
    }

    /**
     * A container of {@code shape} that becomes a sandbox: taken out of the pool until
     * {@link #unpin} (a warm one when there is one, else a new one).
     */
    public PooledContainer acquireForSandbox(Shape shape) {
        removeDead();
        return take(ledger.pin(shape), shape, Destination.SANDBOX);
    }

    /** The granted container, or one started in the room granted (after removing the reclaimed one). */
    private PooledContainer take(Grant grant, Shape shape, Destination to) {
        if (!grant.mustStart()) {
            return grant.container();
        }
        if (grant.victim() != null) {
            replace(grant.victim());
        }
        return start(shape, to);
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
            ledger.victimRemoved();
        }
    }

    /**
     * The one path by which a container starts: in a creator's slot, then into the ledger at
     * {@code to}.
     *
     * @return the container, or null when the pool closed meanwhile and it was removed again
     */
    private PooledContainer start(Shape shape, Destination to) {
        PooledContainer c;
        creators.acquireUninterruptibly();
        try {
            c = factory.create(shape);
        } catch (RuntimeException e) {
            ledger.startFailed();
            throw e;
        } finally {
            creators.release();
        }
        if (ledger.admit(c, to)) {
            return c;
        }
        destroyLater(c, "shutdown");
        return null;
    }

    /** Ends a sandbox's container. */
    public void unpin(PooledContainer c) {
        letGo(c, "sandbox ended");
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
        } else if (ledger.release(c)) {
            destroyLater(c, "shutdown");
        }
    }

    /** Removes a broken or used-up container; the pool refills on its next rebalance. */
    public void discard(PooledContainer c) {
        letGo(c, "discarded");
    }

    /** True once the pool is closing: it hands out nothing any more. */
    public boolean isClosed() {
        return ledger.isClosed();
    }

    /** How many jobs this node can run at once: every container not pinned to a sandbox. */
    public int jobCapacity() {
        return ledger.jobCapacity();
    }

    /**
     * The pool's figures (for {@code /health}, the heartbeat that places sandboxes, and metrics). A
     * waiting container whose runner died is not counted: it will never be handed out, only
     * dropped by the next hand-out or rebalance.
     */
    public PoolStats stats() {
        return ledger.stats();
    }

    /** The figures of each shape the pool holds or aims to hold, by shape label. */
    public List<ShapeStats> shapeStats() {
        return ledger.shapeStats();
    }

    /** The ids of every container the pool holds, for the orphan sweep. */
    public Set<String> containerIds() {
        return ledger.containerIds();
    }

    /**
     * Grows the unclaimed containers of each shape in demand (and of {@code defaultShape}) towards
     * its target; starts them in parallel and returns when they are up.
     *
     * @return how many containers were started
     */
    public int rebalance(Shape defaultShape) {
        factory.retryRemovals();
        removeDead();
        List<Future<Boolean>> started = new ArrayList<>();
        for (Shape shape : ledger.planWarmUps(defaultShape)) {
            started.add(background.submit(() -> warm(shape)));
        }
        int ok = 0;
        for (Future<Boolean> f : started) {
            try {
                ok += f.get() ? 1 : 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                log.warn("warming a container failed: {}", e.getCause().getMessage());
            }
        }
        return ok;
    }

    private boolean warm(Shape shape) {
        try {
            return start(shape, Destination.UNCLAIMED) != null;
        } catch (RuntimeException e) {
            log.warn("could not warm a {} container: {}", shape.label(), e.getMessage());
            return false;
        }
    }

    /**
     * Destroys idle containers of keys unused for longer than the idle timeout, and unclaimed
     * containers above the target of their shape.
     *
     * @return how many were destroyed
     */
    public int shrink() {
        List<PooledContainer> doomed = ledger.planShrink();
        doomed.forEach(c -> destroyLater(c, "idle"));
        return doomed.size();
    }

    @Override
    public void close() {
        ledger.close().forEach(c -> destroyLater(c, "shutdown"));
        background.close();
    }

    /**
     * Lets go of waiting containers whose runner died (the container was killed, the engine
     * restarted), so that no job is handed a dead one and the rebalance replaces them.
     */
    private void removeDead() {
        List<PooledContainer> dead = ledger.dropDead();
        if (!dead.isEmpty()) {
            log.warn("{} waiting containers died (killed, or the engine restarted); replacing them", dead.size());
            dead.forEach(c -> destroyLater(c, "its runner died"));
        }
    }

    private void letGo(PooledContainer c, String why) {
        if (ledger.letGo(c)) {
            destroyLater(c, why);
        }
    }

    /** Removes a container the ledger has let go of (and counted as removing). */
    private void destroyLater(PooledContainer c, String why) {
        log.debug("removing container {} ({})", c, why);
        try {
            background.execute(() -> destroy(c));
        } catch (RejectedExecutionException e) {
            destroy(c);
        }
    }

    private void destroy(PooledContainer c) {
        try {
            factory.destroy(c);
        } finally {
            ledger.removed();
        }
    }
}
