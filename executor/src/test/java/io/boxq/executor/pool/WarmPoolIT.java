package io.boxq.executor.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.config.PoolConfig;
import io.boxq.core.config.SandboxConfig;
import io.boxq.core.job.CommandResult;
import io.boxq.executor.docker.DockerClients;
import io.boxq.executor.docker.DockerRuntime;
import io.boxq.executor.docker.Labels;
import io.boxq.executor.runner.RunRequest;
import io.boxq.executor.runner.RunnerFactory;
import io.boxq.core.config.JobConfig;
import io.boxq.executor.agent.AgentBinary;
import io.boxq.executor.agent.AgentRunnerFactory;
import java.nio.file.Path;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warm pool against the real engine: busybox containers with the shell runner attached, all
 * labelled with this class's own node id, so that {@code docker ps} shows exactly what the pool
 * made. Each test builds its own pool and closes it; {@link #removeEverythingOfThisNode} is the
 * safety net.
 */
class WarmPoolIT {
    private static final String BUSYBOX = BoxqConfig.BUSYBOX_IMAGE;
    private static final Shape SHAPE = new Shape(BUSYBOX, 64L << 20, "none");
    private static final String NODE = "it-warmpool-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String DEPLOYMENT = "test-" + NODE + ":";
    private static final Duration LONG_IDLE = Duration.ofMinutes(5);

    private static DockerClient client;
    private static DockerRuntime docker;
    private static SandboxConfig sandbox;

    private WarmPool pool;

    @BeforeAll
    static void connect() {
        String host = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
        client = DockerClients.create(host, 32);
        docker = new DockerRuntime(client, host);
        sandbox = BoxqConfig.fromEnv(Map.of("DOCKER_HOST", host, "SANDBOX_IMAGE", BUSYBOX)).sandbox();
    }

    @BeforeEach
    void startsFromNothing() {
        assertThat(containersOfThisNode()).as("containers left by an earlier test").isEmpty();
    }

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.close();
            assertThat(containersOfThisNode()).as("close() removes every container of the pool").isEmpty();
        }
    }

    @AfterAll
    static void removeEverythingOfThisNode() throws IOException {
        for (Container c : docker.list(Map.of(Labels.NODE, NODE))) {
            docker.remove(c.getId());
        }
        assertThat(docker.list(Map.of(Labels.NODE, NODE))).isEmpty();
        client.close();
    }

    @Test
    void rebalance_at_start_warms_pool_size_containers_in_parallel() {
        RendezvousRunners rendezvous = new RendezvousRunners(agentRunners(), 4, Duration.ofSeconds(20));
        pool = new WarmPool(factory(rendezvous, Clock.systemUTC()), config(4, 1, 6, true, LONG_IDLE), Clock.systemUTC());

        assertThat(pool.rebalance(SHAPE)).isEqualTo(4);

        assertThat(rendezvous.met()).as("all four containers were up before any runner was attached").isTrue();
        assertThat(pool.stats()).extracting(PoolStats::available, PoolStats::allocated, PoolStats::total)
                .containsExactly(4, 0, 4);
        assertThat(containersOfThisNode()).containsExactlyInAnyOrderElementsOf(pool.containerIds());
        assertThat(pool.rebalance(SHAPE)).as("already at the target").isZero();

        List<PooledContainer> handedOut = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            PooledContainer c = pool.acquire("key-" + i, SHAPE);
            assertThat(echo(c, "warm " + i)).isEqualTo("warm " + i + "\n");
            handedOut.add(c);
        }
        assertThat(handedOut).extracting(PooledContainer::id).containsExactlyInAnyOrderElementsOf(containersOfThisNode());
        assertThat(containersOfThisNode()).as("four warm hand-outs started nothing").hasSize(4);
    }

    @Test
    void an_empty_pool_starts_a_working_container_on_demand() {
        pool = pool(config(0, 0, 3, true, LONG_IDLE));
        assertThat(pool.rebalance(SHAPE)).isZero();
        assertThat(containersOfThisNode()).isEmpty();

        PooledContainer c = pool.acquire("key-a", SHAPE);

        assertThat(echo(c, "cold")).isEqualTo("cold\n");
        assertThat(c.leasedTo()).isEqualTo("key-a");
        assertThat(containersOfThisNode()).containsExactly(c.id());
        pool.release(c, true);
        assertThat(pool.stats()).extracting(PoolStats::available, PoolStats::allocated, PoolStats::busy)
                .containsExactly(0, 1, 0);
    }

    @Test
    void many_keys_on_many_threads_never_take_the_node_above_the_maximum() throws Exception {
        int max = 4;
        pool = pool(config(2, 1, max, true, LONG_IDLE));
        pool.rebalance(SHAPE);
        AtomicInteger mostInDocker = new AtomicInteger();
        AtomicInteger mostCounted = new AtomicInteger();
        Map<String, Set<String>> keysOfContainer = new ConcurrentHashMap<>();
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        watch.scheduleWithFixedDelay(() -> {
            mostInDocker.accumulateAndGet(containersOfThisNode().size(), Math::max);
            mostCounted.accumulateAndGet(pool.stats().total(), Math::max);
        }, 0, 10, TimeUnit.MILLISECONDS);

        List<Future<Integer>> clients = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(12)) {
            for (int t = 0; t < 12; t++) {
                String key = "key-" + (t % 6); // six keys for four containers: leases must be reclaimed
                clients.add(threads.submit(() -> runJobs(key, 3, keysOfContainer)));
            }
            for (Future<Integer> jobs : clients) {
                assertThat(jobs.get(90, TimeUnit.SECONDS)).as("every job got a container").isEqualTo(3);
            }
        } finally {
            watch.shutdownNow();
            assertThat(watch.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(mostInDocker.get()).as("containers of this node in docker ps, at most").isBetween(2, max);
        assertThat(mostCounted.get()).as("the pool's own total, at most").isLessThanOrEqualTo(max);
        assertThat(keysOfContainer.size()).as("containers used over time: leases were reclaimed").isGreaterThan(max);
        assertThat(keysOfContainer).allSatisfy((id, keys) -> assertThat(keys).as("keys served by %s", id).hasSize(1));
    }

    @Test
    void at_the_maximum_the_least_recently_used_idle_lease_is_reclaimed_not_handed_over() {
        pool = pool(config(0, 0, 2, true, LONG_IDLE));
        PooledContainer a = pool.acquire("key-a", SHAPE);
        pool.release(a, true);
        PooledContainer b = pool.acquire("key-b", SHAPE);
        pool.release(b, true);

        PooledContainer c = pool.acquire("key-c", SHAPE);

        assertThat(c.id()).isNotIn(a.id(), b.id());
        assertThat(echo(c, "c")).isEqualTo("c\n");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(containersOfThisNode()).containsExactlyInAnyOrder(b.id(), c.id()));
        pool.release(c, true);
        assertThat(pool.acquire("key-b", SHAPE).id()).as("key-b's lease was the more recent one").isEqualTo(b.id());
    }

    @Test
    void a_keys_idle_container_is_destroyed_by_shrink_once_past_the_idle_timeout() {
        Duration idleTimeout = Duration.ofSeconds(1);
        pool = pool(config(0, 0, 3, false, idleTimeout));
        PooledContainer a = pool.acquire("key-a", SHAPE);
        echo(a, "job");
        pool.release(a, true);
        long releasedAt = System.nanoTime();
        assertThat(pool.shrink()).as("just released: within the idle timeout").isZero();
        assertThat(containersOfThisNode()).containsExactly(a.id());

        AtomicInteger destroyed = new AtomicInteger();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> destroyed.addAndGet(pool.shrink()) > 0);

        assertThat(Duration.ofNanos(System.nanoTime() - releasedAt)).isGreaterThanOrEqualTo(idleTimeout);
        assertThat(destroyed.get()).isEqualTo(1);
        assertThat(pool.stats().total()).isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(containersOfThisNode()).isEmpty());
        PooledContainer again = pool.acquire("key-a", SHAPE);
        assertThat(again.id()).as("a fresh container").isNotEqualTo(a.id());
    }

    @Test
    void aggressive_cleanup_shrinks_unclaimed_containers_to_the_minimum_once_demand_is_quiet() {
        SettableClock clock = new SettableClock(Instant.now());
        pool = new WarmPool(factory(agentRunners(), clock), config(3, 1, 4, true, LONG_IDLE), clock);
        assertThat(pool.rebalance(SHAPE)).isEqualTo(3);
        assertThat(pool.shrink()).as("while warming up the target is POOL_SIZE").isZero();

        clock.advance(Duration.ofMinutes(2)); // past the demand window, with nothing handed out

        assertThat(pool.shrink()).isEqualTo(2);
        assertThat(pool.stats().available()).isEqualTo(1);
        assertThat(pool.rebalance(SHAPE)).as("rebalance aims at the same target, so it does not fight").isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(containersOfThisNode()).hasSize(1));
    }

    @Test
    void without_aggressive_cleanup_a_quiet_pool_keeps_pool_size() {
        SettableClock clock = new SettableClock(Instant.now());
        pool = new WarmPool(factory(agentRunners(), clock), config(3, 1, 4, false, LONG_IDLE), clock);
        assertThat(pool.rebalance(SHAPE)).isEqualTo(3);

        clock.advance(Duration.ofMinutes(2));

        assertThat(pool.shrink()).isZero();
        assertThat(containersOfThisNode()).hasSize(3);
    }

    @Test
    void a_container_never_passes_to_another_key_and_comes_back_reset_to_its_own() {
        pool = pool(config(1, 0, 4, true, LONG_IDLE));
        pool.rebalance(SHAPE);
        String warm = pool.containerIds().iterator().next();

        PooledContainer a = pool.acquire("key-a", SHAPE);
        assertThat(a.id()).isEqualTo(warm);
        assertThat(run(a, "echo a > /workspace/mine && echo a > /tmp/mine").exitCode()).isZero();
        pool.release(a, true);

        PooledContainer b = pool.acquire("key-b", SHAPE);
        assertThat(b.id()).as("key-a's idle container is not handed to key-b").isNotEqualTo(a.id());
        assertThat(b.leasedTo()).isEqualTo("key-b");
        pool.release(b, true);

        PooledContainer a2 = pool.acquire("key-a", SHAPE);
        assertThat(a2.id()).isEqualTo(a.id());
        assertThat(echo(a2, "$(ls -A /workspace /tmp | grep -c mine)")).as("reset wiped both").isEqualTo("0\n");
        assertThat(pool.acquire("key-b", SHAPE).id()).isEqualTo(b.id());
        assertThat(containersOfThisNode()).containsExactlyInAnyOrder(a.id(), b.id());
    }

    @Test
    void a_sandbox_pin_counts_toward_the_maximum_and_lowers_job_capacity() {
        pool = pool(config(0, 0, 2, true, LONG_IDLE));
        assertThat(pool.jobCapacity()).isEqualTo(2);

        PooledContainer sandboxContainer = pool.acquireForSandbox(SHAPE);

        assertThat(pool.jobCapacity()).isEqualTo(1);
        assertThat(pool.stats().sandboxes()).isEqualTo(1);
        PooledContainer a = pool.acquire("key-a", SHAPE);
        pool.release(a, true);
        PooledContainer b = pool.acquire("key-b", SHAPE);
        assertThat(b.id()).isNotEqualTo(a.id());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(containersOfThisNode())
                .as("the pin filled one of two places, so key-a's lease was reclaimed")
                .containsExactlyInAnyOrder(sandboxContainer.id(), b.id()));
        assertThat(echo(sandboxContainer, "still mine")).isEqualTo("still mine\n");

        pool.unpin(sandboxContainer);

        assertThat(pool.jobCapacity()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(containersOfThisNode()).containsExactly(b.id()));
    }

    private int runJobs(String key, int jobs, Map<String, Set<String>> keysOfContainer) {
        int done = 0;
        for (int i = 0; i < jobs; i++) {
            PooledContainer c = pool.acquire(key, SHAPE);
            keysOfContainer.computeIfAbsent(c.id(), id -> ConcurrentHashMap.newKeySet()).add(key);
            assertThat(echo(c, key)).isEqualTo(key + "\n");
            pool.release(c, true);
            done++;
        }
        return done;
    }

    private static PoolConfig config(int size, int min, int max, boolean aggressive, Duration idleTimeout) {
        return new PoolConfig(size, min, max, aggressive, idleTimeout);
    }

    private WarmPool pool(PoolConfig config) {
        return new WarmPool(factory(agentRunners(), Clock.systemUTC()), config, Clock.systemUTC());
    }

    private static ContainerFactory factory(RunnerFactory runners, Clock clock) {
        return new ContainerFactory(docker, runners, sandbox, NODE, DEPLOYMENT, clock);
    }

    private static RunnerFactory agentRunners() {
        Path agentDir = Path.of(JobConfig.DEFAULT_AGENT_DIR);
        return new AgentRunnerFactory(client, AgentBinary.locate(agentDir, null),
                AgentRunnerFactory.socketRoot(agentDir, NODE), sandbox.workspace(), AgentRunnerFactory.DEFAULT_HANDSHAKE_TIMEOUT);
    }

    private static String echo(PooledContainer c, String text) {
        return new String(run(c, "echo " + text).stdout(), StandardCharsets.UTF_8);
    }

    private static CommandResult run(PooledContainer c, String command) {
        return c.runner().run(new RunRequest(command, "sh", Map.of(), sandbox.workspace(), new byte[0],
                Duration.ofSeconds(10), 4096));
    }

    private static Set<String> containersOfThisNode() {
        return docker.list(Map.of(Labels.NODE, NODE)).stream().map(Container::getId).collect(Collectors.toSet());
    }
}
