package io.boxq.executor.sandbox;

import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.CommandResult;
import io.boxq.core.sandbox.ResourceSample;
import io.boxq.core.sandbox.Sandbox;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.Statistics;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.pool.ContainerFactory;
import io.boxq.executor.pool.PooledContainer;
import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.RunnerFailedException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a sandbox's resource figures straight from its container, for the stats operation and the
 * resource monitor alike: the same script, the same CPU accounting.
 */
public final class SandboxSampler {
    private static final Logger log = LoggerFactory.getLogger(SandboxSampler.class);

    private final SandboxLifecycle lifecycle;
    private final SandboxRunners runners;
    private final SandboxPauses pauses;
    private final DockerRuntime docker;
    private final ContainerFactory containers;
    private final BoxqConfig config;
    private final Clock clock;
    private final CpuSampler cpu = new CpuSampler();

    public SandboxSampler(SandboxLifecycle lifecycle, SandboxRunners runners, SandboxPauses pauses,
            DockerRuntime docker, ContainerFactory containers, BoxqConfig config, Clock clock) {
        this.pauses = pauses;
        this.docker = docker;
        this.lifecycle = lifecycle;
        this.runners = runners;
        this.containers = containers;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Samples a sandbox's resources now (the resource monitor). Uses the sandbox's runner when it
     * is free, else (a job is running) a separate {@code docker exec}, so a long job is watched too.
     *
     * @return empty when the sandbox is not held here, is paused (paused since it was listed), or its
     *     figures could not be read
     * @throws RunnerFailedException when the runner broke while sampling (it is relaunched)
     */
    public Optional<ResourceSample> sample(Sandbox s) {
        Optional<PooledContainer> c = lifecycle.container(s.id());
        if (c.isEmpty() || pauses.frozen(s.id())) {
            return Optional.empty();
        }
        CommandResult r = read(s, c.get());
        if (r.exitCode() != 0) {
            log.debug("sandbox {}: stats script exited {}", s.id(), r.exitCode());
            return Optional.empty();
        }
        return Optional.of(ResourceSample.parse(new String(r.stdout(), StandardCharsets.UTF_8), clock.instant()));
    }

    /**
     * Runs the stats script in the sandbox's container: through its runner when that is free, else
     * (a job is running) through a separate {@code docker exec}, so a long job is watched too and a
     * stats call never waits for it. A paused sandbox's figures come from the engine, which reads
     * the container's cgroup on the host without thawing it.
     *
     * @throws RunnerFailedException when the runner broke while reading (it is relaunched)
     */
    CommandResult read(Sandbox s, PooledContainer c) {
        if (pauses.frozen(s.id())) {
            return cpu.sample(s.id(), () -> fromEngine(c));
        }
        ReentrantLock lock = runners.lock(s.id());
        String workspace = config.sandbox().workspace();
        if (c.runner().alive() && lock.tryLock()) {
            try {
                if (pauses.frozen(s.id())) { // paused while this waited
                    return cpu.sample(s.id(), () -> fromEngine(c));
                }
                return cpu.sample(s.id(), () -> c.runner().stats(workspace));
            } catch (RunnerFailedException e) {
                lifecycle.revive(s, c);
                throw e;
            } finally {
                lock.unlock();
            }
        }
        CommandRunner side = containers.sideRunner(c.id());
        return cpu.sample(s.id(), () -> side.stats(workspace));
    }

    /**
     * The engine's reading of the container's cgroup, in the stats script's lines. It has no
     * workspace, shared-memory or network figures (they read 0).
     */
    private CommandResult fromEngine(PooledContainer c) {
        Statistics st = docker.stats(c.id());
        MemoryStatsConfig memory = st.getMemoryStats();
        long cpuNanos = st.getCpuStats() != null && st.getCpuStats().getCpuUsage() != null
                ? orZero(st.getCpuStats().getCpuUsage().getTotalUsage()) : 0;
        String text = "memory_bytes=" + memoryBytes(memory) + "\n"
                + "memory_limit_bytes=" + (memory == null ? 0 : orZero(memory.getLimit())) + "\n"
                + "cpu_ns=" + cpuNanos + "\n"
                + "pids=" + (st.getPidsStats() == null ? 0 : orZero(st.getPidsStats().getCurrent())) + "\n";
        return new CommandResult(0, text.getBytes(StandardCharsets.UTF_8), new byte[0], false, false, false);
    }

    /**
     * On cgroup v1 the exact figure, rss + cache (+ swap): {@code usage_in_bytes} is fuzzy there
     * (per-CPU charge batches), so it would move on a frozen container. On v2 the engine's usage,
     * which is {@code memory.current}.
     */
    private static long memoryBytes(MemoryStatsConfig memory) {
        if (memory == null) {
            return 0;
        }
        var v1 = memory.getStats();
        if (v1 != null && v1.getTotalRss() != null && v1.getTotalCache() != null) {
            return v1.getTotalRss() + v1.getTotalCache() + orZero(v1.getTotalSwap());
        }
        return orZero(memory.getUsage());
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }
}
