package io.boxq.executor.monitor;

import io.boxq.core.audit.AuditLog;
import io.boxq.core.config.MonitorConfig;
import io.boxq.core.sandbox.RecentViolations;
import io.boxq.core.sandbox.RedisSandboxStats;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.ResourceSample;
import io.boxq.core.sandbox.ResourceViolation;
import io.boxq.core.usage.RedisUsage;
import io.boxq.executor.metrics.NodeMetrics;
import io.boxq.executor.sandbox.SandboxLifecycle;
import io.boxq.executor.sandbox.SandboxSampler;
import io.boxq.core.sandbox.Sandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Samples every sandbox of a node at once (a virtual thread each), keeps the bounded history in
 * {@code stats:{sandbox}}, counts measured CPU time into the key's usage, and handles violations:
 * each goes to the audit stream, the recent violations, the metrics and the log and is recorded on
 * the sandbox; critical memory then terminates the sandbox (its record stays, {@code terminated}
 * with the reason), and its running job ends {@code error} with the reason.
 */
public final class ResourceMonitor {
    private static final Logger log = LoggerFactory.getLogger(ResourceMonitor.class);
    /** Samples in flight at once; each is a runner round trip or, for a busy sandbox, a docker exec. */
    static final int PARALLEL = 32;

    private final SandboxSampler sampler;
    private final SandboxLifecycle lifecycle;
    private final RedisSandboxStore sandboxes;
    private final RedisSandboxStats stats;
    private final RedisUsage usage;
    private final AuditLog audit;
    private final RecentViolations recent;
    private final NodeMetrics metrics;
    private final MonitorConfig config;
    private final String node;
    private final ViolationDetector detector;
    private final Map<String, Long> lastCpuNanos = new ConcurrentHashMap<>();
    private final Semaphore inFlight = new Semaphore(PARALLEL);

    public ResourceMonitor(SandboxSampler sampler, SandboxLifecycle lifecycle, RedisSandboxStore sandboxes, RedisSandboxStats stats,
            RedisUsage usage, AuditLog audit, RecentViolations recent, NodeMetrics metrics, MonitorConfig config,
            int cpuQuotaPercent, String node) {
        this.recent = recent;
        this.sampler = sampler;
        this.lifecycle = lifecycle;
        this.sandboxes = sandboxes;
        this.stats = stats;
        this.usage = usage;
        this.audit = audit;
        this.metrics = metrics;
        this.config = config;
        this.node = node;
        this.detector = new ViolationDetector(config, cpuQuotaPercent);
    }

    /**
     * Samples every ready sandbox of this node and returns when all are done.
     *
     * @return how many violations were found
     */
    public int sampleAll() {
        List<Sandbox> ready = sandboxes.listForNode(node).stream().filter(Sandbox::ready).toList();
        Set<String> live = ready.stream().map(Sandbox::id).collect(Collectors.toSet());
        detector.retainOnly(live);
        lastCpuNanos.keySet().retainAll(live);
        List<Future<Integer>> running = new ArrayList<>();
        int violations = 0;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Sandbox s : ready) {
                running.add(threads.submit(() -> sampleOne(s)));
            }
            for (Future<Integer> f : running) {
                violations += f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("sampling a sandbox failed: {}", e.getCause().toString());
        }
        return violations;
    }

    private int sampleOne(Sandbox s) {
        inFlight.acquireUninterruptibly();
        MDC.put("sandbox", s.id());
        MDC.put("key", s.keyId());
        MDC.put("node", node);
        try {
            Optional<ResourceSample> taken = sampler.sample(s);
            if (taken.isEmpty()) {
                return 0;
            }
            ResourceSample sample = taken.get();
            stats.append(s.id(), sample, config.statsHistoryLength(), keepHistoryFor());
            countCpu(s, sample);
            List<ResourceViolation> found = detector.check(s.id(), sample);
            found.forEach(v -> handle(s, v));
            return found.size();
        } catch (RuntimeException e) {
            log.warn("sandbox {}: no sample this time: {}", s.id(), e.getMessage());
            return 0;
        } finally {
            MDC.clear();
            inFlight.release();
        }
    }

    private void handle(Sandbox s, ResourceViolation v) {
        metrics.violation(v);
        audit.record("system", "sandbox.resource_violation", s.id(), Map.of(
                "key_id", s.keyId(), "node", node, "kind", v.kind().wireName(), "level", v.level().wireName(),
                "percent", String.format(Locale.ROOT, "%.2f", v.percent()), "threshold", Integer.toString(v.threshold()),
                "outcome", v.action()));
        recent.record(new RecentViolations.Entry(s.id(), s.keyId(), node, v));
        sandboxes.addViolation(s.id(), v);
        if (v.level() == ResourceViolation.Level.CRITICAL) {
            String reason = lifecycle.terminate(s, v.describe());
            log.warn("sandbox {} of key {} on {}: {}", s.id(), s.keyId(), node, reason);
            audit.record("system", "sandbox.destroyed", s.id(), Map.of("reason", reason, "node", node));
        } else {
            log.warn("sandbox {} of key {} on {}: {}", s.id(), s.keyId(), node, v.describe());
        }
    }

    /** Adds the CPU time measured since the previous sample of this sandbox to its key's usage. */
    private void countCpu(Sandbox s, ResourceSample sample) {
        Long before = lastCpuNanos.put(s.id(), sample.cpuNanos());
        if (before != null && sample.cpuNanos() > before) {
            usage.sandboxCpu(s.keyId(), sample.at(), (sample.cpuNanos() - before) / 1e9);
        }
    }

    /** The history outlives a few missed samples; a sandbox whose end went unseen loses it after that. */
    private Duration keepHistoryFor() {
        Duration fourSamples = config.resourceInterval().multipliedBy(4);
        return fourSamples.compareTo(Duration.ofHours(1)) > 0 ? fourSamples : Duration.ofHours(1);
    }
}
