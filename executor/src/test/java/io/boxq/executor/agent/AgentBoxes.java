package io.boxq.executor.agent;

import com.github.dockerjava.api.DockerClient;
import io.boxq.core.config.JobConfig;
import io.boxq.core.config.SandboxUser;
import io.boxq.executor.docker.ContainerSpec;
import io.boxq.executor.docker.DockerClients;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.docker.Labels;
import io.boxq.executor.runner.RunnerPlacement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hardened containers like the pool's, each with its agent attached, for the agent's ITs; removes
 * them (and their socket directories) on {@link #close}. The agent is built from the source under
 * test into the default {@code AGENT_DIR}, as a node would.
 */
final class AgentBoxes implements AutoCloseable {
    static final String BUSYBOX = "boxq-sandbox:busybox";
    static final String BOOKWORM = "boxq-sandbox:bookworm";
    static final Path AGENT_DIR = Path.of(JobConfig.DEFAULT_AGENT_DIR);
    /** The OCI runtime of the containers: {@code BOXQ_TEST_RUNTIME} (scripts/test.sh runs a subset under runsc). */
    static final String RUNTIME = System.getenv().getOrDefault("BOXQ_TEST_RUNTIME", "runc");
    static final String DOCKER_HOST = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");

    final DockerClient docker = DockerClients.create(DOCKER_HOST, 16);
    final DockerRuntime runtime = new DockerRuntime(docker, DOCKER_HOST);
    final AgentRunnerFactory factory;
    private final String test;
    private final List<String> containers = new ArrayList<>();
    private final List<AgentCommandRunner> runners = new ArrayList<>();

    AgentBoxes(String test) {
        this(test, AgentBinary.locate(AGENT_DIR, null));
    }

    /** @param binary what to mount as the agent (a hostile stand-in, say) */
    AgentBoxes(String test, AgentBinary binary) {
        this.test = test;
        this.factory = new AgentRunnerFactory(docker, DOCKER_HOST, binary,
                AgentRunnerFactory.socketRoot(AGENT_DIR, "it-" + ProcessHandle.current().pid()), "/workspace",
                java.time.Duration.ofSeconds(10));
    }

    /** A started container of {@code image} whose agent has not been attached yet, and its placement. */
    record Started(String id, RunnerPlacement placement) {}

    Started startOnly(String image) {
        RunnerPlacement placement = factory.place(RUNTIME);
        Map<String, String> labels = new HashMap<>(placement.labels());
        labels.put(Labels.MANAGED, "true");
        labels.put("boxq.test", test);
        ContainerSpec spec = new ContainerSpec(image, 256L << 20, 25, 1024, 128, 64L << 20, 64L << 20, "none", RUNTIME,
                SandboxUser.NOBODY, "/workspace", 1024, labels, placement.command(), placement.readOnlyMounts());
        String id = runtime.start(spec);
        containers.add(id);
        return new Started(id, placement);
    }

    /** A container of {@code image} with its agent attached. */
    AgentCommandRunner start(String image) {
        Started s = startOnly(image);
        return track((AgentCommandRunner) factory.attach(s.id(), s.placement()));
    }

    /** A container of each image with its agent attached, by image. */
    Map<String, AgentCommandRunner> startEach(String... images) {
        Map<String, AgentCommandRunner> started = new HashMap<>();
        for (String image : images) {
            started.put(image, start(image));
        }
        return started;
    }

    AgentCommandRunner track(AgentCommandRunner runner) {
        runners.add(runner);
        return runner;
    }

    /** The container a runner of this set runs in. */
    String idOf(int index) {
        return containers.get(index);
    }

    @Override
    public void close() throws java.io.IOException {
        runners.forEach(AgentCommandRunner::close);
        for (String id : containers) {
            runtime.remove(id);
            factory.removed(id);
        }
        factory.close();
        docker.close();
    }
}
