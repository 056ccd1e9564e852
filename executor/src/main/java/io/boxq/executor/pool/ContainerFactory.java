package io.boxq.executor.pool;

import io.boxq.core.config.SandboxConfig;
import io.boxq.executor.docker.ContainerSpec;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.docker.Labels;
import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.RunnerFactory;
import io.boxq.executor.runner.RunnerFailedException;
import io.boxq.core.job.CommandResult;
import io.boxq.executor.runner.RunRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Starts hardened containers of a shape and brings their runner up; a container is ready when it answers. */
public final class ContainerFactory {
    private final DockerRuntime docker;
    private final RunnerFactory runners;
    private final SandboxConfig config;
    private final String node;
    private final String deployment;
    private final Clock clock;
    private final Map<String, String> shells = new ConcurrentHashMap<>();

    /** @param deployment the Redis prefix, labelled on every container so sweeps stay within their deployment */
    public ContainerFactory(DockerRuntime docker, RunnerFactory runners, SandboxConfig config, String node,
            String deployment, Clock clock) {
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
        String id = docker.start(spec(shape));
        try {
            CommandRunner runner = runners.attach(id);
            return new PooledContainer(id, shape, runner, clock.instant());
        } catch (RuntimeException e) {
            docker.remove(id);
            throw e;
        }
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
        return runners.attach(containerId);
    }

    public void destroy(PooledContainer container) {
        container.runner().close();
        docker.remove(container.id());
    }

    ContainerSpec spec(Shape shape) {
        return new ContainerSpec(shape.image(), shape.memoryBytes(), config.cpuQuotaPercent(), config.cpuShares(),
                config.pidsLimit(), config.workspaceBytesFor(shape.memoryBytes()), config.tmpBytes(), shape.network(),
                config.runtime(), config.user(), config.workspace(), config.nofile(),
                Map.of(Labels.MANAGED, "true", Labels.NODE, node, Labels.SHAPE, shape.label(),
                        Labels.DEPLOYMENT, deployment));
    }
}
