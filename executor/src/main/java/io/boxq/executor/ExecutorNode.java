package io.boxq.executor;

import com.github.dockerjava.api.DockerClient;
import io.boxq.core.audit.AuditLog;
import io.boxq.core.auth.Tier;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisJobOutput;
import io.boxq.core.redis.RedisJobQueue;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.sandbox.RecentViolations;
import io.boxq.core.sandbox.RedisSandboxStats;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.snapshot.RedisSnapshotStore;
import io.boxq.core.usage.RedisUsage;
import io.boxq.executor.docker.DanglingImages;
import io.boxq.executor.docker.DockerClients;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.job.JobCompleter;
import io.boxq.executor.job.JobEndListener;
import io.boxq.executor.job.RunningJobs;
import io.boxq.executor.metrics.NodeMetrics;
import io.boxq.executor.monitor.ResourceMonitor;
import io.boxq.executor.node.ControlListener;
import io.boxq.executor.node.ImageCheck;
import io.boxq.executor.node.JobConsumer;
import io.boxq.executor.node.JobHandler;
import io.boxq.executor.node.NodeHeartbeat;
import io.boxq.executor.node.OrphanSweep;
import io.boxq.executor.node.RuntimeCheck;
import io.boxq.executor.node.StalledJobReclaimer;
import io.boxq.executor.pool.ContainerFactory;
import io.boxq.executor.pool.PoolStats;
import io.boxq.executor.pool.Shape;
import io.boxq.executor.pool.WarmPool;
import io.boxq.executor.sandbox.SandboxCopies;
import io.boxq.executor.sandbox.SandboxDispatcher;
import io.boxq.executor.sandbox.SandboxLifecycle;
import io.boxq.executor.sandbox.SandboxPauses;
import io.boxq.executor.sandbox.SandboxReconciler;
import io.boxq.executor.sandbox.SandboxRunners;
import io.boxq.executor.sandbox.SandboxSampler;
import io.boxq.executor.snapshot.WorkspaceArchive;
import io.boxq.executor.snapshot.WorkspaceSnapshots;
import io.boxq.executor.webhook.WebhookDispatcher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One executor node: its Docker engine, its warm pool, and the loop that takes jobs from Redis.
 * It wires the packages below it ({@code node}, {@code sandbox}, {@code monitor}, {@code job}, …)
 * and nothing below imports it.
 * The maintenance tasks call the public methods here; {@link #close()} removes every container
 * the node made.
 */
public final class ExecutorNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecutorNode.class);
    /** How long, after the grace and the pool's close, the jobs in flight get to hand themselves back. */
    private static final Duration SETTLE_AFTER_CLOSE = Duration.ofSeconds(5);

    private final BoxqConfig config;
    private final String node;
    private final DockerClient dockerClient;
    private final DockerRuntime docker;
    private final WarmPool pool;
    private final JobConsumer consumer;
    private final NodeHeartbeat heartbeat;
    private final OrphanSweep orphans;
    private final ContainerFactory containers;
    private final Shape defaultShape;
    private final SandboxLifecycle sandboxes;
    private final SandboxPauses pauses;
    private final SandboxReconciler reconciler;
    private final ControlListener control;
    private final WorkspaceSnapshots snapshots;
    private final RunningJobs running;
    private final StalledJobReclaimer reclaimer;
    private final WebhookDispatcher webhooks;
    private final ResourceMonitor monitor;
    private final DanglingImages images;

    /** A node whose metrics nobody scrapes (tests that do not look at them). */
    public ExecutorNode(BoxqConfig config, Redis redis, Clock clock) {
        this(config, redis, clock, new SimpleMeterRegistry());
    }

    /** @param registry the process's registry, which {@code /metrics} serves */
    public ExecutorNode(BoxqConfig config, Redis redis, Clock clock, MeterRegistry registry) {
        this.config = config;
        this.node = config.server().workerId();
        this.dockerClient = DockerClients.create(config.sandbox().dockerHost(), config.pool().maxPoolSize());
        this.docker = new DockerRuntime(dockerClient, config.sandbox().dockerHost());
        NodeMetrics metrics = new NodeMetrics(registry);
        ContainerFactory containers = new ContainerFactory(docker, Runners.of(config, dockerClient, node), config.sandbox(),
                node, config.redis().prefix(), clock, metrics);
        this.containers = containers;
        this.pool = new WarmPool(containers, config.pool(), clock);
        RedisJobStore store = new RedisJobStore(redis, config.jobs().resultTtl(), clock);
        RedisJobQueue queue = new RedisJobQueue(redis);
        RedisSandboxStore sandboxStore = new RedisSandboxStore(redis, clock, config.sandboxLimits().endedRetention());
        this.running = new RunningJobs(store, new RedisJobOutput(redis, config.jobs().resultTtl()));
        AuditLog audit = new AuditLog(redis, clock);
        RedisUsage usage = new RedisUsage(redis);
        JobEndListener recording = recording(metrics);
        JobCompleter completer = new JobCompleter(store, node, recording);
        SandboxRunners runners = new SandboxRunners(containers);
        this.pauses = new SandboxPauses(sandboxStore, docker, runners, clock);
        this.sandboxes = new SandboxLifecycle(sandboxStore, pool, runners, pauses, audit, config, node, clock);
        SandboxSampler sampler = new SandboxSampler(sandboxes, runners, pauses, docker, containers, config, clock);
        this.snapshots = new WorkspaceSnapshots(new WorkspaceArchive(dockerClient, config.sandbox().workspace()),
                Path.of(config.snapshots().dir()), new RedisSnapshotStore(redis, clock), new NodeDirectory(redis), audit,
                node, config.sandbox().runtime(), config.sandbox().workspace());
        SandboxDispatcher dispatcher = new SandboxDispatcher(sandboxStore, sandboxes, runners, sampler, pauses,
                containers, running, completer, config,
                new SandboxCopies(sandboxes, runners, pauses, sandboxStore, snapshots));
        this.reconciler = new SandboxReconciler(redis, sandboxStore, audit, node);
        this.webhooks = WebhookDispatcher.create(config, redis, store, clock).onAttempt(metrics::webhookAttempt);
        JobHandler handler = new JobHandler(store, queue, pool, containers, dispatcher, running, config, node,
                webhooks::jobEnded, completer);
        this.monitor = new ResourceMonitor(sampler, sandboxes, sandboxStore, new RedisSandboxStats(redis), usage, audit,
                new RecentViolations(redis), metrics, config.monitor(), config.sandbox().cpuQuotaPercent(), node);
        this.images = new DanglingImages(dockerClient);
        metrics.registerPool(node, pool::stats);
        metrics.registerRuntimes(node, config.sandbox().allowedRuntimes(), pool::shapeStats);
        this.consumer = new JobConsumer(queue, pool, node, redis.keys().jobsStream(), redis.keys().nodeStream(node),
                handler::handle)
                .renewingEvery(config.maintenance().leaseTimeout().dividedBy(6))
                .onCancelRequested(running::cancel);
        this.reclaimer = new StalledJobReclaimer(redis, queue, store, consumer, config, node,
                recording.andThen(reclaimUsage(usage)));
        this.heartbeat = new NodeHeartbeat(redis, node, config, clock, pauses::count);
        this.orphans = new OrphanSweep(docker, redis, node, pool::containerIds);
        this.control = new ControlListener(redis, node, () -> sweepOrphans() + shrinkIdle() + sweepSnapshots(),
                running::cancel, snapshots::sweepFiles);
        this.defaultShape = new Shape(config.sandbox().image(), config.limits(Tier.FREE).memoryBytes(),
                config.sandbox().network(), config.sandbox().runtime());
    }

    /**
     * Every stored end of a job counts in the metrics. Its usage is counted by {@code complete.lua}
     * in the call that stores the end. Only the end that was stored is told (the fencing token), so
     * each job counts once.
     */
    private static JobEndListener recording(NodeMetrics metrics) {
        return (job, state, result, endedAt) -> metrics.jobEnded(job, state, endedAt);
    }

    /** A job the reclaim ends never reaches {@code complete.lua}: its usage is counted here. */
    private static JobEndListener reclaimUsage(RedisUsage usage) {
        return (job, state, result, endedAt) -> {
            if (!job.isOp() && job.startedAt() != null) {
                usage.jobEndedByReclaim(job.keyId(), endedAt, java.time.Duration.between(job.startedAt(), endedAt));
            }
        };
    }

    /**
     * Checks the engine and images, removes what a crashed run of this node left, warms the pool,
     * then starts taking jobs.
     *
     * @throws IllegalStateException when the engine cannot be reached or an image is missing
     */
    public void start() {
        ImageCheck.requireImages(docker, config.sandbox());
        RuntimeCheck.requireRuntimes(dockerClient, config.sandbox());
        heartbeat.beat(pool.stats(), pool.shapeStats());
        int removed = orphans.sweep();
        containers.sweepRunnerLeftovers();
        if (removed > 0) {
            log.info("removed {} containers left behind by an earlier run of {}", removed, node);
        }
        long t0 = System.nanoTime();
        int warmed = pool.rebalance(defaultShape);
        log.info("node {} warmed {} containers in {} ms", node, warmed, (System.nanoTime() - t0) / 1_000_000);
        heartbeat(); // warming may outlast NODE_TTL_SECONDS: other nodes must not take this one for dead
        reclaimer.settleOwnPending();
        consumer.start();
        control.start();
        webhooks.kick(); // deliveries that fell due while no node ran
    }

    public String node() {
        return node;
    }

    public PoolStats poolStats() {
        return pool.stats();
    }

    /** How many of this node's sandboxes are paused now (for {@code /health}). */
    public int pausedSandboxes() {
        return pauses.count();
    }

    public int rebalancePool() {
        return pool.rebalance(defaultShape);
    }

    /** Destroys idle pooled containers and ends sandboxes past their idle timeout or lifetime. */
    public int shrinkIdle() {
        return pool.shrink() + sandboxes.expire();
    }

    /** Removes orphan containers, ends expired sandboxes, and gives up the sandboxes of dead nodes. */
    public int sweepOrphans() {
        return orphans.sweep() + containers.sweepRunnerLeftovers() + sandboxes.expire() + reconciler.reconcile();
    }

    /** Removes expired snapshots, pending ones of dead nodes, and snapshot files nobody keeps a record of. */
    public int sweepSnapshots() {
        return snapshots.sweep();
    }

    public int reclaimStalledJobs() {
        return reclaimer.reclaim();
    }

    public void heartbeat() {
        heartbeat.beat(pool.stats(), pool.shapeStats());
    }

    private void beatUntilInterrupted() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                heartbeat();
            } catch (RuntimeException e) {
                log.debug("heartbeat of {} while stopping: {}", node, e.getMessage());
            }
            try {
                Thread.sleep(config.maintenance().heartbeatInterval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Claims the webhook deliveries due now and sends them in the background; returns how many. */
    public int dispatchWebhooks() {
        return webhooks.dispatchDue();
    }

    /**
     * Samples every sandbox of this node, keeps its history, and handles threshold violations
     * (critical memory terminates the sandbox).
     *
     * @return how many violations were found
     */
    public int monitorResources() {
        return monitor.sampleAll();
    }

    /** Removes dangling images labelled {@code boxq.image=true}; returns how many. */
    public int removeDanglingImages() {
        return images.remove();
    }

    /**
     * Stops the node: takes no new jobs, lets running ones finish within the grace, hands back or
     * ends the rest, and removes its containers. It keeps beating (the maintenance scheduler has
     * stopped by now) and its consumer keeps renewing leases until then, so other nodes neither
     * take it for dead nor reclaim the jobs it is still finishing.
     */
    @Override
    public void close() {
        Thread beating = Thread.ofVirtual().name("boxq-heartbeat-" + node).start(this::beatUntilInterrupted);
        control.close();
        consumer.stop(config.maintenance().shutdownGrace());
        webhooks.close();
        sandboxes.close(); // thaws paused sandboxes: the pool removes every container next
        pool.close();
        containers.close();
        consumer.awaitSettled(SETTLE_AFTER_CLOSE);
        beating.interrupt();
        try {
            beating.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeat.stop();
        try {
            dockerClient.close();
        } catch (java.io.IOException e) {
            log.debug("closing the docker client: {}", e.getMessage());
        }
    }
}
