package io.boxq.executor.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.dockerjava.api.DockerClient;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.config.SandboxUser;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An engine that stops while it creates a container can do the work and lose the answer (a CI run
 * of DockerEngineRestartIT found such a container left {@code created}, known to nobody). Here the
 * real engine creates the container and a proxy in front of its socket loses the answer: the
 * container, which the node never learned the id of, is still found and removed by its name, at
 * once when the engine answers, or later (as the pool's next rebalance does) when it is away.
 */
class LostCreateAnswerIT {
    private final String node = "it-lostcreate-" + UUID.randomUUID().toString().substring(0, 8);
    private DockerSocketProxy proxy;
    private DockerClient direct;
    private DockerClient proxied;
    private String host;

    @BeforeEach
    void start() throws Exception {
        host = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
        direct = DockerClients.create(host, 0);
        proxy = new DockerSocketProxy(Path.of(host.substring("unix://".length())));
        proxied = DockerClients.create(proxy.host(), 0);
    }

    @AfterEach
    void stop() throws Exception {
        DockerRuntime engine = new DockerRuntime(direct, host);
        engine.list(Map.of(Labels.NODE, node)).forEach(c -> engine.remove(c.getId()));
        proxied.close();
        proxy.close();
        direct.close();
    }

    @Test
    void a_container_whose_create_answer_was_lost_is_removed_by_its_name() {
        proxy.loseAnswerTo("/containers/create", false);

        DockerUnavailableException e = catchThrowableOfType(DockerUnavailableException.class,
                () -> new DockerRuntime(proxied, proxy.host()).start(spec()));

        assertThat(e).as("the create's answer was lost").isNotNull();
        assertThat(e.leftBehind()).as("removed at once: the engine answered the removal").isNull();
        assertThat(new DockerRuntime(direct, host).list(Map.of(Labels.NODE, node))).isEmpty();
    }

    @Test
    void when_the_engine_is_away_after_the_lost_answer_the_name_is_handed_back_for_a_later_removal() {
        proxy.loseAnswerTo("/containers/create", true);
        DockerRuntime runtime = new DockerRuntime(proxied, proxy.host());

        DockerUnavailableException e = catchThrowableOfType(DockerUnavailableException.class, () -> runtime.start(spec()));

        assertThat(e).isNotNull();
        assertThat(e.leftBehind()).as("the container's name, to remove later").startsWith("boxq-");
        assertThat(new DockerRuntime(direct, host).list(Map.of(Labels.NODE, node))).as("created, known by name only")
                .hasSize(1).allSatisfy(c -> assertThat(c.getNames()).containsExactly("/" + e.leftBehind()));

        proxy.away(false);
        assertThat(runtime.remove(e.leftBehind())).isTrue();
        assertThat(new DockerRuntime(direct, host).list(Map.of(Labels.NODE, node))).isEmpty();
    }

    private ContainerSpec spec() {
        return new ContainerSpec(BoxqConfig.BUSYBOX_IMAGE, 32L << 20, 25, 512, 64, 8L << 20, 8L << 20, "none", null,
                SandboxUser.NOBODY, "/workspace", 1024, Map.of(Labels.MANAGED, "true", Labels.NODE, node));
    }
}
