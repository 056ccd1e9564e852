package io.boxq.executor.node;

import io.boxq.core.job.SandboxOp;
import io.boxq.core.redis.RedisJobQueue;
import io.boxq.core.redis.RedisJobQueue.Entry;
import io.boxq.core.redis.StoreUnavailableException;
import io.boxq.core.retry.Backoff;
import io.boxq.executor.pool.WarmPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read loops of a node. From the shared jobs stream it takes only as many entries as it can
 * start now (COUNT = free capacity: containers it may use minus plain jobs in flight), so work it
 * cannot run stays there for other nodes. Its own stream (the work of its sandboxes, which runs in
 * their containers and needs none of the pool) is read by a loop of its own that never waits for
 * capacity: a node whose containers are all sandboxes still serves them. Each entry runs on a
 * virtual thread; the entries of one sandbox run in order, one at a time (a stats reading does not
 * wait behind them). It reads new entries only: what an earlier life of the node left pending is
 * settled at start by {@link StalledJobReclaimer#settleOwnPending()}.
 */
public final class JobConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobConsumer.class);
    private static final int BLOCK_MILLIS = 1000;
    /** How many entries of its own stream a node reads at once. */
    private static final int OWN_BATCH = 64;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final RedisJobQueue queue;
    private final WarmPool pool;
    private final String node;
    private final String shared;
    private final String own;
    private final Consumer<Entry> handler;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final SerialQueues sandboxQueues = new SerialQueues(workers);
    private final Object capacityChanged = new Object();
    private volatile boolean running = true;
    private int inFlight;
    private final java.util.Set<Entry> leased = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Duration renewEvery = Duration.ofSeconds(5);
    private Consumer<String> onCancelRequested = jobId -> { };
    private final List<Thread> loops = new java.util.ArrayList<>();

    /**
     * @param shared the jobs stream all nodes read
     * @param own this node's stream (its sandboxes' jobs and operations)
     */
    public JobConsumer(RedisJobQueue queue, WarmPool pool, String node, String shared, String own,
            Consumer<Entry> handler) {
        this.queue = queue;
        this.pool = pool;
        this.node = node;
        this.shared = shared;
        this.own = own;
        this.handler = handler;
    }

    public void start() {
        queue.ensureGroup(shared);
        queue.ensureGroup(own);
        loops.add(Thread.ofPlatform().name("boxq-consumer-" + node).daemon().start(() -> readLoop(shared, true)));
        loops.add(Thread.ofPlatform().name("boxq-consumer-own-" + node).daemon().start(() -> readLoop(own, false)));
        Thread.ofVirtual().name("boxq-lease-" + node).start(this::renewLoop);
    }

    /**
     * Told of a running job whose cancel a lease renewal found asked for: the control channel's
     * message is the quick way, this the sure one (a message sent while the node's subscription was
     * away is not delivered again).
     */
    public JobConsumer onCancelRequested(Consumer<String> cancel) {
        this.onCancelRequested = cancel;
        return this;
    }

    /** How often the leases of running entries are renewed (well within the lease timeout). */
    public JobConsumer renewingEvery(Duration every) {
        this.renewEvery = every;
        return this;
    }

    /** Runs an entry this node took over from a lost consumer, as if it had read it. */
    public void offer(Entry entry) {
        dispatch(entry);
    }

    /**
     * True when this node is working on {@code entry} right now (its lease may have run out while
     * Redis was away, but the job is not stalled).
     */
    public boolean isWorkingOn(Entry entry) {
        return leased.contains(entry);
    }

    /** How many more entries this node can take now. */
    public int freeCapacity() {
        synchronized (capacityChanged) {
            return Math.max(0, pool.jobCapacity() - inFlight);
        }
    }

    /**
     * Keeps the stream entries of running jobs fresh, so the stalled-job reclaim of other nodes
     * leaves them alone while this node lives, also while it stops (until its last job settled).
     */
    private void renewLoop() {
        while (running || !workers.isTerminated()) {
            sleep(renewEvery);
            for (Entry e : leased) {
                try {
                    switch (queue.renew(e, node)) {
                        case LOST -> {
                            log.warn("entry {} of job {} was taken over by another node", e.entryId(), e.jobId());
                            leased.remove(e);
                        }
                        case CANCEL_REQUESTED -> onCancelRequested.accept(e.jobId()); // the message may have been missed
                        case HELD -> { }
                    }
                } catch (StoreUnavailableException ex) {
                    log.debug("lease of {} not renewed: {}", e.jobId(), ex.getMessage());
                }
            }
        }
    }

    /** @param limited read only as many as the node can start now (the shared stream) */
    private void readLoop(String stream, boolean limited) {
        Backoff backoff = new Backoff(Duration.ofMillis(100), MAX_BACKOFF);
        while (running) {
            try {
                int count = limited ? waitForCapacity() : OWN_BATCH;
                if (count <= 0) {
                    continue;
                }
                List<Entry> entries = queue.read(node, List.of(stream), count, BLOCK_MILLIS, false);
                entries.forEach(this::dispatch);
                backoff.reset();
            } catch (StoreUnavailableException e) {
                log.warn("Redis unavailable, reading again shortly: {}", e.getMessage());
                backoff.pause();
            } catch (RuntimeException e) {
                log.error("unexpected error in the read loop", e);
                backoff.pause();
            }
        }
    }

    /** Runs an entry; one that needs a container of the pool (no sandbox) counts against the capacity. */
    private void dispatch(Entry entry) {
        boolean counted = entry.sandboxId() == null;
        if (counted) {
            synchronized (capacityChanged) {
                inFlight++;
            }
        }
        leased.add(entry);
        Runnable task = () -> {
            try {
                handler.accept(entry);
            } catch (RuntimeException e) {
                log.error("job {} failed in the executor", entry.jobId(), e);
            } finally {
                leased.remove(entry);
                if (counted) {
                    synchronized (capacityChanged) {
                        inFlight--;
                        capacityChanged.notifyAll();
                    }
                }
            }
        };
        if (entry.sandboxId() != null && !SandboxOp.Kind.STATS.wireName().equals(entry.op())) {
            sandboxQueues.execute(entry.sandboxId(), task); // in order; a stats reading need not wait its turn
        } else {
            workers.execute(task);
        }
    }

    /**
     * Containers that jobs may use minus plain jobs in flight; waits a little when that is none.
     * Every such job holds at most one container and the pool reclaims idle ones, so a job read
     * here always gets a container.
     */
    private int waitForCapacity() {
        synchronized (capacityChanged) {
            int free = pool.jobCapacity() - inFlight;
            if (free <= 0) {
                try {
                    capacityChanged.wait(BLOCK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            return free;
        }
    }

    /** Stops reading; waits up to {@code grace} for running jobs to end. */
    public void stop(Duration grace) {
        running = false;
        loops.forEach(Thread::interrupt);
        for (Thread loop : loops) {
            try {
                loop.join(BLOCK_MILLIS * 3L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("jobs still running after {} s of grace", grace.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits up to {@code limit} for the jobs still in flight to settle: after the grace, closing the
     * pool ends their commands, and each hands its job back or ends it.
     */
    public void awaitSettled(Duration limit) {
        try {
            if (!workers.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("jobs not settled {} s after the pool closed; the stalled-job reclaim of other nodes will",
                        limit.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
