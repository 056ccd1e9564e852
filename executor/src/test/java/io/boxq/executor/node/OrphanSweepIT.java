package io.boxq.executor.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.config.SandboxUser;
import io.boxq.core.redis.Redis;
import io.boxq.executor.docker.ContainerSpec;
import io.boxq.executor.docker.DockerClients;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.docker.Labels;
import io.boxq.executor.pool.PoolStats;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.params.ScanParams;

/**
 * The orphan sweep against the real engine and Redis. One engine is shared by this node, a live
 * node, a node whose heartbeat expired, and another deployment; each test starts the same six
 * containers, made here with docker-java as ContainerSpec hardens them, and checks which ones the
 * sweep of this node removes.
 */
class OrphanSweepIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String ME = "it-sweep-" + RUN;
    private static final String LIVE = "it-sweep-live-" + RUN;
    private static final String DEAD = "it-sweep-dead-" + RUN;
    private static final String PREFIX = "test-it-sweep-" + RUN + ":";
    private static final String OTHER_DEPLOYMENT = "test-it-sweep-other-" + RUN + ":";
    private static final List<String> NODES = List.of(ME, LIVE, DEAD);
    private static final PoolStats NO_POOL = new PoolStats(0, 0, 0, 4, 0, 0);

    private static DockerClient client;
    private static DockerRuntime docker;
    private static Redis redis;

    private String held;
    private String mine;
    private String ofLiveNode;
    private String ofDeadNode;
    private String mineInOtherDeployment;
    private String ofDeadNodeInOtherDeployment;

    @BeforeAll
    static void startTheOtherNodes() {
        String host = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
        client = DockerClients.create(host, 8);
        docker = new DockerRuntime(client, host);
        redis = new Redis(System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"), PREFIX, 4);
        heartbeat(LIVE, 120).beat(NO_POOL);
        heartbeat(DEAD, 1).beat(NO_POOL);
        await().atMost(Duration.ofSeconds(10)).until(() -> !redis.call(j -> j.exists(redis.keys().node(DEAD))));
        boolean liveNodeBeats = redis.call(j -> j.exists(redis.keys().node(LIVE)));
        assertThat(liveNodeBeats).isTrue();
    }

    @BeforeEach
    void startContainers() {
        held = start(ME, PREFIX);
        mine = start(ME, PREFIX);
        ofLiveNode = start(LIVE, PREFIX);
        ofDeadNode = start(DEAD, PREFIX);
        mineInOtherDeployment = start(ME, OTHER_DEPLOYMENT);
        ofDeadNodeInOtherDeployment = start(DEAD, OTHER_DEPLOYMENT);
    }

    @AfterEach
    void removeContainers() {
        NODES.forEach(node -> docker.list(Map.of(Labels.NODE, node)).forEach(c -> docker.remove(c.getId())));
    }

    @AfterAll
    static void removeEverythingOfThisClass() throws IOException {
        for (String node : NODES) {
            docker.list(Map.of(Labels.NODE, node)).forEach(c -> docker.remove(c.getId()));
            assertThat(docker.list(Map.of(Labels.NODE, node))).as("containers of %s", node).isEmpty();
        }
        ScanParams ours = new ScanParams().match(PREFIX + "*").count(100);
        redis.call(j -> j.scan(ScanParams.SCAN_POINTER_START, ours)).getResult().forEach(k -> redis.run(j -> j.del(k)));
        redis.close();
        client.close();
    }

    @Test
    void containers_younger_than_the_minimum_age_are_left_alone() {
        OrphanSweep sweep = new OrphanSweep(docker, redis, ME, () -> Set.of(held));

        assertThat(sweep.sweep()).as("everything here is seconds old, the minimum is %s", OrphanSweep.MIN_AGE).isZero();

        assertThat(running()).contains(held, mine, ofLiveNode, ofDeadNode);
    }

    @Test
    void the_sweep_removes_unheld_containers_of_this_node_and_those_of_dead_nodes_only() {
        OrphanSweep sweep = new OrphanSweep(docker, redis, ME, () -> Set.of(held), Duration.ZERO);

        int removed = sweepUntilGone(sweep, mine, ofDeadNode);

        assertThat(removed).isEqualTo(2);
        assertThat(running()).doesNotContain(mine, ofDeadNode)
                .as("held by the pool, of a live node, of another deployment")
                .contains(held, ofLiveNode, mineInOtherDeployment, ofDeadNodeInOtherDeployment);
        assertThat(sweep.sweep()).as("nothing more to do").isZero();
    }

    @Test
    void a_paused_orphan_is_thawed_before_it_is_removed_never_left_frozen() throws InterruptedException {
        long since = java.time.Instant.now().getEpochSecond() - 1;
        docker.pause(mine);
        OrphanSweep sweep = new OrphanSweep(docker, redis, ME, () -> Set.of(held), Duration.ZERO);

        sweepUntilGone(sweep, mine, ofDeadNode);

        List<String> actions = new java.util.concurrent.CopyOnWriteArrayList<>();
        client.eventsCmd().withContainerFilter(mine).withSince(Long.toString(since))
                .withUntil(Long.toString(java.time.Instant.now().getEpochSecond() + 1))
                .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Event>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Event e) {
                        actions.add(e.getAction());
                    }
                }).awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(actions).containsSubsequence("pause", "unpause", "destroy");
    }

    @Test
    void a_node_loses_its_containers_to_the_sweep_once_its_heartbeat_is_gone() {
        OrphanSweep sweep = new OrphanSweep(docker, redis, ME, () -> Set.of(held), Duration.ZERO);
        sweepUntilGone(sweep, mine, ofDeadNode);
        assertThat(running()).contains(ofLiveNode);

        heartbeat(LIVE, 120).stop();
        try {
            assertThat(sweep.sweep()).isEqualTo(1);
            assertThat(running()).doesNotContain(ofLiveNode).contains(held, mineInOtherDeployment);
        } finally {
            heartbeat(LIVE, 120).beat(NO_POOL);
        }
    }

    /** Sweeps until {@code ids} are gone (the engine dates containers to the second); returns how many went. */
    private static int sweepUntilGone(OrphanSweep sweep, String... ids) {
        AtomicInteger removed = new AtomicInteger();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            removed.addAndGet(sweep.sweep());
            return running().stream().noneMatch(List.of(ids)::contains);
        });
        return removed.get();
    }

    private static NodeHeartbeat heartbeat(String node, int ttlSeconds) {
        BoxqConfig config = BoxqConfig.fromEnv(Map.of("BOXQ_REDIS_PREFIX", PREFIX, "WORKER_ID", node,
                "NODE_TTL_SECONDS", Integer.toString(ttlSeconds)));
        return new NodeHeartbeat(redis, node, config, Clock.systemUTC());
    }

    /** A container as boxq would start it for {@code node} of {@code deployment}, made behind the pool's back. */
    private static String start(String node, String deployment) {
        ContainerSpec spec = new ContainerSpec(BoxqConfig.BUSYBOX_IMAGE, 32L << 20, 25, 512, 64, 8L << 20, 8L << 20,
                "none", null, SandboxUser.NOBODY, "/workspace", 1024,
                Map.of(Labels.MANAGED, "true", Labels.NODE, node, Labels.DEPLOYMENT, deployment));
        String id = client.createContainerCmd(spec.image())
                .withLabels(spec.labels())
                .withUser(spec.user().dockerUser())
                .withCmd("sleep", "3600")
                .withNetworkDisabled(true)
                .withHostConfig(spec.hostConfig())
                .exec()
                .getId();
        client.startContainerCmd(id).exec();
        return id;
    }

    private static Set<String> running() {
        return NODES.stream()
                .flatMap(node -> docker.list(Map.of(Labels.NODE, node)).stream())
                .filter(c -> "running".equals(c.getState()))
                .map(Container::getId)
                .collect(Collectors.toSet());
    }
}
