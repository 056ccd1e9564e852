package io.boxq.executor.pool;

import io.boxq.core.config.SandboxConfig;
import io.boxq.executor.docker.ContainerSpec;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.docker.DockerUnavailableException;
import io.boxq.executor.docker.Labels;
import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.ExecCommandRunner;
import io.boxq.executor.runner.RunnerFactory;
import io.boxq.executor.runner.RunnerFailedException;
import io.boxq.executor.runner.RunnerPlacement;
import io.boxq.core.job.CommandResult;
import io.boxq.executor.runner.RunRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Starts hardened containers of a shape and brings their runner up; a container is ready when it answers. */
public final class ContainerFactory {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ContainerFactory.class);
    private final DockerRuntime docker;
    private final RunnerFactory runners;
    private final SandboxConfig config;
    private final String node;
    private final String deployment;
    private final Clock clock;
    private final Map<String, String> shells = new ConcurrentHashMap<>();
    /** Containers whose removal the engine did not take (it was away); retried by {@link #retryRemovals}. */
    private final Set<String> unremoved = ConcurrentHashMap.newKeySet();
    private final ContainerEvents events;

    /** @param deployment the Redis prefix, labelled on every container so sweeps stay within their deployment */
    public ContainerFactory(DockerRuntime docker, RunnerFactory runners, SandboxConfig config, String node,
            String deployment, Clock clock) {
        this(docker, runners, config, node, deployment, clock, ContainerEvents.NONE);
    }

    /** @param events told of every start and removal (metrics) */
    public ContainerFactory(DockerRuntime docker, RunnerFactory runners, SandboxConfig config, String node,
            String deployment, Clock clock, ContainerEvents events) {
        this.events = events;
        this.deployment = deployment;
        this.docker = docker;
        this.runners = runners;
        this.config = config;
        this.node = node;
        this.clock = clock;
    }

    /**
     * @throws io.boxq.executor.docker.DockerUnavailableException when the engine cannot start it
     * @throws RunnerFailedException when its runner does not come up (the container is removed)
     */
    public PooledContainer create(Shape shape) {
        long t0 = System.nanoTime();
        RunnerPlacement placement = runners.place(runtimeOf(shape));
        String id;
        try {
            id = docker.start(spec(shape, placement));
        } catch (DockerUnavailableException e) {
            runners.release(placement);
            events.startFailed(shape);
            if (e.leftBehind() != null) {
                unremoved.add(e.leftBehind());
                log.warn("container {} of {} could not be removed after a failed start; trying again at the next "
                        + "rebalance", shortId(e.leftBehind()), node);
            }
            throw e;
        } catch (RuntimeException e) {
            runners.release(placement);
            events.startFailed(shape);
            throw e;
        }
        try {
            CommandRunner runner = runners.attach(id, placement);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            events.started(shape, took);
            log.info("container {} started on {} ({}) in {} ms", shortId(id), node, shape.label(), took.toMillis());
            return new PooledContainer(id, shape, runner, clock.instant());
        } catch (RuntimeException e) {
            events.startFailed(shape);
            runners.release(placement);
            remove(id);
            throw e;
        }
    }

    /** Whether the engine answers (see {@link DockerRuntime#answers}). */
    public boolean engineAnswers() {
        return docker.answers();
    }

    /**
     * A runner of its own for a container whose runner is busy: one {@code docker exec} per command,
     * which may run beside the runner's command (the resource monitor samples a sandbox that way
     * while a job runs in it).
     */
    public CommandRunner sideRunner(String containerId) {
        return new ExecCommandRunner(docker.client(), containerId, config.workspace());
    }

    /**
     * The shell jobs run under in this container's image: {@code bash} when the image has it, else
     * {@code sh}. Asked once per image.
     */
    public String shellFor(PooledContainer container) {
        return shells.computeIfAbsent(container.shape().image(), image -> {
            CommandResult r = container.runner().run(new RunRequest("command -v bash", "/bin/sh", Map.of(), "/",
                    new byte[0], Duration.ofSeconds(10), 4096));
            return r.exitCode() == 0 ? "bash" : "sh";
        });
    }

    /** A new runner for a running container whose runner died. */
    public CommandRunner attachRunner(String containerId) {
        return runners.reattach(containerId);
    }

    /** The pool is closed and its containers removed: lets the runners clean up after them. */
    public void close() {
        runners.close();
    }

    /** Removes what containers that are gone left on the host (their agent directories). */
    public int sweepRunnerLeftovers() {
        return runners.sweep();
    }

    public void destroy(PooledContainer container) {
        container.runner().close();
        remove(container.id());
    }

    private void remove(String id) {
        long t0 = System.nanoTime();
        if (!docker.remove(id)) {
            unremoved.add(id);
            log.warn("container {} of {} could not be removed now; trying again at the next rebalance", shortId(id), node);
            return;
        }
        unremoved.remove(id);
        runners.removed(id);
        events.removed(Duration.ofNanos(System.nanoTime() - t0));
        log.info("container {} removed from {}", shortId(id), node);
    }

    /**
     * Removes the containers whose removal failed while the engine was away (a restart), so they
     * do not wait for the orphan sweep.
     *
     * @return how many are still left to remove
     */
    public int retryRemovals() {
        for (String id : List.copyOf(unremoved)) {
            remove(id);
        }
        return unremoved.size();
    }

    /** The shape's runtime, or the deployment's default for a shape that names none. */
    private String runtimeOf(Shape shape) {
        return shape.runtime() != null ? shape.runtime() : config.runtime();
    }

    private static String shortId(String id) {
        return id.substring(0, Math.min(12, id.length()));
    }

    private ContainerSpec spec(Shape shape, RunnerPlacement placement) {
        Map<String, String> labels = new java.util.HashMap<>(placement.labels());
        labels.putAll(Map.of(Labels.MANAGED, "true", Labels.NODE, node, Labels.SHAPE, shape.label(),
                Labels.DEPLOYMENT, deployment, Labels.RUNTIME, runtimeOf(shape)));
        return new ContainerSpec(shape.image(), shape.memoryBytes(), config.cpuQuotaPercent(), config.cpuShares(),
                config.pidsLimit(), config.workspaceBytesFor(shape.memoryBytes()), config.tmpBytes(), shape.network(),
                runtimeOf(shape), config.user(), config.workspace(), config.nofile(), labels, placement.command(),
                placement.readOnlyMounts());
    }
}
