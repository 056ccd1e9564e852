package io.boxq.executor.metrics;

import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import io.boxq.core.sandbox.ResourceViolation;
import io.boxq.core.webhook.DeliveryStatus;
import io.boxq.executor.pool.ContainerEvents;
import io.boxq.executor.pool.PoolStats;
import io.boxq.executor.pool.Shape;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * The executor's series (Prometheus names): jobs finished by state with their queue-wait and run
 * time, the pool per node, container starts and removals with their latency, webhook attempts by
 * outcome, and resource violations.
 */
public final class NodeMetrics implements ContainerEvents {
    /** Histogram buckets for job times: a warm job takes milliseconds, a long one minutes. */
    static final Duration[] JOB_BUCKETS = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
            10, 30, 60, 300, 1800);
    static final Duration[] CONTAINER_BUCKETS = seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

    /** Looked up once: a registry lookup builds and sorts the tags each time, and this is per job. */
    private final java.util.Map<JobState, Counter> finished = new java.util.concurrent.ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Timer queueWait;
    private final Timer run;
    private final Timer containerStart;
    private final Timer containerRemove;
    private final Counter starts;
    private final Counter startFailures;
    private final Counter removals;

    public NodeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.queueWait = Timer.builder("boxq.job.queue.wait").description("time from submit to start of a job")
                .serviceLevelObjectives(JOB_BUCKETS).register(registry);
        this.run = Timer.builder("boxq.job.run").description("time from start to end of a job")
                .serviceLevelObjectives(JOB_BUCKETS).register(registry);
        this.containerStart = Timer.builder("boxq.container.start")
                .description("time from asking for a container to its runner answering")
                .serviceLevelObjectives(CONTAINER_BUCKETS).register(registry);
        this.containerRemove = Timer.builder("boxq.container.remove").description("time to force-remove a container")
                .serviceLevelObjectives(CONTAINER_BUCKETS).register(registry);
        this.starts = Counter.builder("boxq.container.starts").tag("outcome", "started").register(registry);
        this.startFailures = Counter.builder("boxq.container.starts").tag("outcome", "failed").register(registry);
        this.removals = Counter.builder("boxq.container.removals").register(registry);
        for (JobState state : JobState.values()) {
            if (state.isTerminal()) {
                finished(state);
            }
        }
        for (DeliveryStatus status : DeliveryStatus.values()) {
            webhooks(status);
        }
        for (ResourceViolation.Kind kind : ResourceViolation.Kind.values()) {
            for (ResourceViolation.Level level : ResourceViolation.Level.values()) {
                violations(kind.wireName(), level.wireName());
            }
        }
    }

    /** A job (not a sandbox operation) ended: counted by state, with its queue wait and run time. */
    public void jobEnded(Job job, JobState state, Instant endedAt) {
        if (job.isOp()) {
            return;
        }
        finished(state).increment();
        if (job.submittedAt() != null && job.startedAt() != null) {
            queueWait.record(nonNegative(Duration.between(job.submittedAt(), job.startedAt())));
            run.record(nonNegative(Duration.between(job.startedAt(), endedAt)));
        }
    }

    @Override
    public void started(Shape shape, Duration took) {
        starts.increment();
        containerStart.record(took);
    }

    @Override
    public void startFailed(Shape shape) {
        startFailures.increment();
    }

    @Override
    public void removed(Duration took) {
        removals.increment();
        containerRemove.record(took);
    }

    /** One webhook attempt's outcome: delivered, retrying, failed (no attempts left) or stopped (410). */
    public void webhookAttempt(DeliveryStatus status) {
        webhooks(status).increment();
    }

    private Counter webhooks(DeliveryStatus status) {
        String outcome = status == DeliveryStatus.PENDING ? "retrying" : status.wireName();
        return registry.counter("boxq.webhook.deliveries", "outcome", outcome);
    }

    public void violation(ResourceViolation v) {
        violations(v.kind().wireName(), v.level().wireName()).increment();
    }

    /** {@code boxq_pool_containers{node, kind}}: available, allocated, total and max of the node's pool. */
    public void registerPool(String node, Supplier<PoolStats> stats) {
        pool(node, "available", stats, PoolStats::available);
        pool(node, "allocated", stats, PoolStats::allocated);
        pool(node, "total", stats, PoolStats::total);
        pool(node, "max", stats, PoolStats::maxCapacity);
        pool(node, "busy", stats, PoolStats::busy);
        pool(node, "sandboxes", stats, PoolStats::sandboxes);
    }

    /**
     * {@code boxq_pool_runtime_containers{node, runtime, kind}}: available, allocated, busy and sandboxes
     * of the node's pool in each of {@code runtimes}.
     */
    public void registerRuntimes(String node, java.util.List<String> runtimes,
            Supplier<java.util.List<io.boxq.executor.pool.ShapeStats>> shapes) {
        for (String runtime : runtimes) {
            runtime(node, runtime, "available", shapes, io.boxq.executor.pool.ShapeStats::available);
            runtime(node, runtime, "allocated", shapes, io.boxq.executor.pool.ShapeStats::allocated);
            runtime(node, runtime, "busy", shapes, io.boxq.executor.pool.ShapeStats::busy);
            runtime(node, runtime, "sandboxes", shapes, io.boxq.executor.pool.ShapeStats::sandboxes);
        }
    }

    private void runtime(String node, String runtime, String kind,
            Supplier<java.util.List<io.boxq.executor.pool.ShapeStats>> shapes,
            ToIntFunction<io.boxq.executor.pool.ShapeStats> figure) {
        Gauge.builder("boxq.pool.runtime.containers", shapes, s -> s.get().stream()
                        .filter(x -> runtime.equals(x.runtime())).mapToInt(figure).sum())
                .tag("node", node).tag("runtime", runtime).tag("kind", kind).strongReference(true).register(registry);
    }

    private void pool(String node, String kind, Supplier<PoolStats> stats, ToIntFunction<PoolStats> figure) {
        Gauge.builder("boxq.pool.containers", stats, s -> figure.applyAsInt(s.get()))
                .tag("node", node).tag("kind", kind).strongReference(true).register(registry);
    }

    private Counter finished(JobState state) {
        return finished.computeIfAbsent(state, st -> registry.counter("boxq.jobs.finished", "state", st.wireName()));
    }

    private Counter violations(String kind, String level) {
        return registry.counter("boxq.resource.violations", "kind", kind, "level", level);
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static Duration[] seconds(double... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Duration.ofNanos((long) (values[i] * 1_000_000_000L));
        }
        return out;
    }
}
