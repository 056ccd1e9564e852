package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.boxq.core.config.SandboxUser;
import io.boxq.executor.docker.ContainerSpec;
import io.boxq.executor.docker.DockerClients;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.docker.DockerUnavailableException;
import io.boxq.executor.docker.Labels;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Docker engine told to stop closes its socket at once, but goes on serving the connections
 * already open until it has stopped its containers, and starts new ones on them: such a container
 * outlives the stop, and the engine kills it when it starts again. A CI run of
 * DockerEngineRestartIT ran a job's second attempt on one (the pool had warmed it while the engine
 * was stopping, and its ping had answered on a kept-alive connection); it died 411 ms into the job.
 * Here a private {@code dockerd} is really sent SIGTERM, kept stopping by a container that ignores
 * it: the engine is not taken to answer, and no container starts.
 */
class StoppingEngineIT {
    private static final Map<String, String> LABELS = Map.of(Labels.MANAGED, "true",
            Labels.NODE, TestEnvironment.unique("it-stopping"));

    private PrivateDockerEngine engine;
    private DockerClient client;
    private DockerRuntime runtime;
    private String stubborn;

    @BeforeEach
    void start() {
        engine = PrivateDockerEngine.start(List.of(TestEnvironment.BUSYBOX));
        client = DockerClients.create(engine.host(), 0);
        runtime = new DockerRuntime(client, engine.host());
    }

    @AfterEach
    void stop() throws IOException {
        if (stubborn != null && engine.isRunning()) {
            try {
                client.killContainerCmd(stubborn).exec(); // lets a stopping engine finish its stop
            } catch (RuntimeException e) {
                // the connection is gone: the engine's own stop timeout ends the container
            }
        }
        client.close();
        engine.close();
    }

    @Test
    void a_stopping_engine_does_not_answer_and_starts_no_container() {
        // PID 1 of a container has no default action for SIGTERM: the engine waits out its stop timeout.
        stubborn = client.createContainerCmd(TestEnvironment.BUSYBOX).withCmd("sleep", "600").withStopTimeout(60)
                .withNetworkDisabled(true).withLabels(LABELS).exec().getId();
        client.startContainerCmd(stubborn).exec();
        assertThat(runtime.answers()).isTrue();

        engine.beginStop();
        await("the engine removed its socket").atMost(Duration.ofSeconds(30)).until(() -> !engine.listens());
        assertThat(engine.isRunning()).as("still stopping, waiting for the container").isTrue();
        client.pingCmd().exec(); // the fault: a kept-alive connection is still served

        assertThat(runtime.answers()).as("a stopping engine answers").isFalse();
        DockerUnavailableException refused = catchThrowableOfType(DockerUnavailableException.class,
                () -> runtime.start(spec()));
        assertThat(refused).as("a container started on a stopping engine").isNotNull()
                .hasMessageContaining("started while the engine was stopping");
        assertThat(refused.leftBehind()).as("removed again at once").isNull();
        assertThat(runtime.list(LABELS)).extracting(Container::getId).containsExactly(stubborn);
        assertThat(engine.isRunning()).as("all of it happened while the engine was stopping").isTrue();
    }

    private static ContainerSpec spec() {
        return new ContainerSpec(TestEnvironment.BUSYBOX, 32L << 20, 25, 512, 64, 8L << 20, 8L << 20, "none", null,
                SandboxUser.NOBODY, "/workspace", 1024, LABELS);
    }
}
