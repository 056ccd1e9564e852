package io.boxq.executor.node;

import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import io.boxq.core.redis.RedisJobQueue;
import io.boxq.core.redis.RedisJobQueue.Entry;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.redis.StoreUnavailableException;
import io.boxq.core.retry.Backoff;
import io.boxq.executor.pool.ContainerFactory;
import io.boxq.executor.pool.PooledContainer;
import io.boxq.executor.pool.Shape;
import io.boxq.executor.pool.WarmPool;
import io.boxq.executor.runner.RunRequest;
import io.boxq.executor.job.JobCompleter;
import io.boxq.executor.job.RunningJobs;
import io.boxq.executor.sandbox.SandboxDispatcher;
import io.boxq.executor.runner.RunnerFailedException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one delivered job: takes it ({@code queued → running}), leases a container of its key,
 * runs the command, stores the result under the attempt's fencing token, then hands the container
 * back (reset after the result is published, not before).
 */
public final class JobHandler {
    private static final Logger log = LoggerFactory.getLogger(JobHandler.class);
    /** A runner that died before the command started: the job gets this many fresh containers. */
    private static final int RUNNER_RETRIES = 2;
    /**
     * How long a job waits for a container while the Docker engine is away (a restart takes
     * seconds) before it ends {@code error}; its stream entry's lease is renewed meanwhile.
     */
    static final Duration ENGINE_WAIT = Duration.ofSeconds(60);
    private static final Duration MAX_ENGINE_BACKOFF = Duration.ofSeconds(2);
    /** The pause before a job whose container died under it runs again (see {@link #awaitEngine}). */
    static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    /** How long a start waits out Redis away or switching before it leaves the entry to the reclaim. */
    private static final Duration REDIS_WAIT = Duration.ofMinutes(2);
    private static final Duration MAX_REDIS_BACKOFF = Duration.ofSeconds(2);

    private final RedisJobStore store;
    private final RedisJobQueue queue;
    private final WarmPool pool;
    private final ContainerFactory containers;
    private final BoxqConfig config;
    private final String node;
    private final SandboxDispatcher sandboxes;
    private final java.util.function.Consumer<Job> ended;
    private final RunningJobs running;
    private final JobCompleter completer;

    /** @param ended told of each job this handler ran, after its end was stored (the webhook kick) */
    public JobHandler(RedisJobStore store, RedisJobQueue queue, WarmPool pool, ContainerFactory containers,
            SandboxDispatcher sandboxes, RunningJobs running, BoxqConfig config, String node,
            java.util.function.Consumer<Job> ended) {
        this(store, queue, pool, containers, sandboxes, running, config, node, ended, new JobCompleter(store, node));
    }

    /** @param completer stores the ends of jobs (and tells metrics and usage about them) */
    public JobHandler(RedisJobStore store, RedisJobQueue queue, WarmPool pool, ContainerFactory containers,
            SandboxDispatcher sandboxes, RunningJobs running, BoxqConfig config, String node,
            java.util.function.Consumer<Job> ended, JobCompleter completer) {
        this.ended = ended;
        this.running = running;
        this.completer = completer;
        this.sandboxes = sandboxes;
        this.store = store;
        this.queue = queue;
        this.pool = pool;
        this.containers = containers;
        this.config = config;
        this.node = node;
    }

    public void handle(Entry entry) {
        if (entry.jobId() == null) {
            queue.discard(entry);
            return;
        }
        RedisJobStore.Start start = start(entry);
        if (start == null) {
            return; // Redis stayed away: the entry stays pending, the stalled-job reclaim runs it
        }
        if (!start.running()) {
            log.debug("entry {} names job {} which is {}: dropped", entry.entryId(), entry.jobId(), start.state());
            queue.discard(entry);
            return;
        }
        Job job = start.job();
        if (start.cancelRequested()) {
            running.cancel(job.id()); // asked before it started: it will not run
        }
        MDC.put("job", job.id());
        MDC.put("key", job.keyId());
        MDC.put("node", node);
        if (job.spec().sandboxId() != null) {
            MDC.put("sandbox", job.spec().sandboxId());
        }
        if (!job.isOp()) {
            log.debug("job {} started on {} (key {}{}, attempt {})", job.id(), node, job.keyId(),
                    job.spec().sandboxId() == null ? "" : ", sandbox " + job.spec().sandboxId(), start.token());
        }
        try {
            if (job.spec().sandboxId() != null) {
                sandboxes.run(job, entry, start.token());
                ended.accept(job);
            } else {
                run(job, entry, start.token());
            }
        } finally {
            MDC.clear();
        }
    }

    /**
     * Starts the entry's job, waiting out Redis away or switching (the same start id on every try,
     * so a try whose answer or WAIT was lost is not taken for another node's start).
     *
     * @return null when Redis stayed away for {@link #REDIS_WAIT} or the node is stopping
     */
    private RedisJobStore.Start start(Entry entry) {
        String startId = java.util.UUID.randomUUID().toString();
        long deadline = System.nanoTime() + REDIS_WAIT.toNanos();
        Backoff backoff = new Backoff(Duration.ofMillis(100), MAX_REDIS_BACKOFF);
        while (true) {
            try {
                return store.start(entry.jobId(), node, startId);
            } catch (StoreUnavailableException e) {
                if (pool.isClosed() || System.nanoTime() > deadline || !backoff.pause()) {
                    log.warn("job {} not started, Redis stayed away: {}", entry.jobId(), e.getMessage());
                    return null;
                }
            }
        }
    }

    private void run(Job job, Entry entry, int token) {
        Shape shape = shapeOf(job);
        for (int attempt = 0; ; attempt++) {
            PooledContainer container;
            try {
                container = acquire(job, shape);
            } catch (RuntimeException e) {
                finish(job, entry, token, JobState.ERROR, null, "no container could be started: " + e.getMessage());
                return;
            }
            try {
                RunningJobs.Outcome outcome = running.run(job, container.runner(), request(job, container));
                CommandResult result = outcome.result();
                finish(job, entry, token, outcome.cancelled() ? JobState.CANCELLED : result.state(), result, null);
                pool.release(container, result != null);
                return;
            } catch (RunnerFailedException e) {
                pool.discard(container);
                if (pool.isClosed()) {
                    handBack(job, entry, token, e);
                    return;
                }
                if (e.commandStarted() && store.requeue(job.id(), token)) {
                    log.warn("job {} attempt {}: the runner failed under the command ({}); its attempts allow "
                            + "another run", job.id(), token, e.getMessage());
                    if (awaitEngine(job)) {
                        handle(entry); // a new attempt (fencing token) in a new container
                    }
                    return;
                }
                if (e.commandStarted() || attempt >= RUNNER_RETRIES) {
                    finish(job, entry, token, JobState.ERROR, null, "the sandbox runner failed: " + e.getMessage());
                    return;
                }
                log.warn("runner of container {} failed before the command started, retrying: {}",
                        container, e.getMessage());
            } catch (RuntimeException e) {
                pool.discard(container); // in an unknown state, and never to be left counted as busy
                throw e;
            }
        }
    }

    /**
     * The node is stopping and its grace ran out under the command (closing the pool took the
     * container). The job goes back to the queue when its attempts allow: its stream entry stays
     * pending in this node's name, and another node's stalled-job reclaim runs it once this node's
     * lease has lapsed. Otherwise it ends {@code error}.
     */
    private void handBack(Job job, Entry entry, int token, RunnerFailedException e) {
        if (store.requeue(job.id(), token)) {
            log.warn("job {} attempt {}: the node stopped before the command ended; handed back to the queue", job.id(),
                    token);
            return;
        }
        finish(job, entry, token, JobState.ERROR, null,
                "the node stopped before the command ended, and the job has no attempts left (" + e.getMessage() + ")");
    }

    /**
     * Before a job runs again after its container died under it: a pause of {@link #RETRY_PAUSE},
     * then, while the engine does not answer (a ping on a new connection, see
     * {@link io.boxq.executor.docker.DockerRuntime#answers}), a wait for it. A container that died
     * with its engine (a restart stops every container, the pool's warm ones too) must not be
     * followed by a run on a warm container that dies in the same stop: the next attempt starts once
     * the engine is back, on a new container. Up to {@link #ENGINE_WAIT}; then the next attempt's
     * own wait for a container takes over.
     *
     * @return false when the node is stopping: the job stays queued, its entry pending in this
     *     node's name, and another node's stalled-job reclaim runs it
     */
    private boolean awaitEngine(Job job) {
        long deadline = System.nanoTime() + ENGINE_WAIT.toNanos();
        try {
            Thread.sleep(RETRY_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Backoff backoff = new Backoff(Duration.ofMillis(100), MAX_ENGINE_BACKOFF);
        while (!pool.isClosed() && !containers.engineAnswers() && System.nanoTime() < deadline) {
            log.debug("job {}: waiting for the Docker engine before its next attempt", job.id());
            if (!backoff.pause()) {
                return false;
            }
        }
        return !pool.isClosed();
    }

    /**
     * A container for the job. An engine that cannot start one (restarting, briefly unreachable) is
     * waited for with backoff up to {@link #ENGINE_WAIT}: a job does not fail for lack of a container.
     */
    private PooledContainer acquire(Job job, Shape shape) {
        long deadline = System.nanoTime() + ENGINE_WAIT.toNanos();
        Backoff backoff = new Backoff(Duration.ofMillis(100), MAX_ENGINE_BACKOFF);
        while (true) {
            try {
                return pool.acquire(job.keyId(), shape);
            } catch (RuntimeException e) {
                Duration wait = backoff.next();
                if (pool.isClosed() || System.nanoTime() + wait.toNanos() > deadline) {
                    throw e;
                }
                log.warn("job {}: no container yet ({}), trying again in {} ms", job.id(), e.getMessage(),
                        wait.toMillis());
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void finish(Job job, Entry entry, int token, JobState state, CommandResult result, String error) {
        if (completer.finish(job, entry, token, state, result, error)) {
            ended.accept(job); // before the container is reset: the webhook goes out at once
        }
    }

    private Shape shapeOf(Job job) {
        String image = job.spec().image() != null ? job.spec().image() : config.sandbox().image();
        long memory = job.memoryBytes() > 0 ? job.memoryBytes() : config.limits(io.boxq.core.auth.Tier.FREE).memoryBytes();
        String runtime = job.spec().runtime() != null ? job.spec().runtime() : config.sandbox().runtime();
        return new Shape(image, memory, config.sandbox().network(), runtime);
    }

    private RunRequest request(Job job, PooledContainer container) {
        var spec = job.spec();
        return new RunRequest(spec.command(), containers.shellFor(container), spec.env(),
                spec.workdir() != null ? spec.workdir() : config.sandbox().workspace(), spec.stdin(),
                Duration.ofSeconds(spec.timeoutSeconds()), config.jobs().outputLimitBytes());
    }
}
