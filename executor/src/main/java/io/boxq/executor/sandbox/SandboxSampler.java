package io.boxq.executor.sandbox;

import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.CommandResult;
import io.boxq.core.sandbox.ResourceSample;
import io.boxq.core.sandbox.Sandbox;
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
    private final ContainerFactory containers;
    private final BoxqConfig config;
    private final Clock clock;
    private final CpuSampler cpu = new CpuSampler();

    public SandboxSampler(SandboxLifecycle lifecycle, SandboxRunners runners, ContainerFactory containers,
            BoxqConfig config, Clock clock) {
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
     * @return empty when the sandbox is not held here or its figures could not be read
     * @throws RunnerFailedException when the runner broke while sampling (it is relaunched)
     */
    public Optional<ResourceSample> sample(Sandbox s) {
        Optional<PooledContainer> c = lifecycle.container(s.id());
        if (c.isEmpty()) {
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
     * stats call never waits for it.
     *
     * @throws RunnerFailedException when the runner broke while reading (it is relaunched)
     */
    CommandResult read(Sandbox s, PooledContainer c) {
        ReentrantLock lock = runners.lock(s.id());
        String workspace = config.sandbox().workspace();
        if (c.runner().alive() && lock.tryLock()) {
            try {
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
}
