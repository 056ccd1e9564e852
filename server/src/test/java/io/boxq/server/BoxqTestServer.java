package io.boxq.server;

import com.github.dockerjava.api.exception.NotFoundException;
import io.boxq.api.ApiServer;
import io.boxq.api.health.NodeHealth;
import io.boxq.api.metrics.ProcessMetrics;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.redis.Redis;
import io.boxq.executor.ExecutorNode;
import io.boxq.executor.pool.PoolStats;
import io.boxq.scheduler.MaintenanceScheduler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The all-in-one wiring of {@link Main} (an executor node and the api in one process, talking only
 * through Redis) on a free port, with its own Redis prefix and worker id: the one test server of
 * the ITs. No Quartz unless {@link #runMaintenance()}: tests drive expiry and sweeps through
 * {@link #node()} themselves. The node can be stopped and a new one started on the same prefix
 * ({@link #stopNode()}, {@link #startNode()}), or left out ({@link #startApiOnly}). {@link #stop()}
 * closes it the way a shutdown does and then reports what it left behind.
 */
public final class BoxqTestServer {
    public final BoxqConfig config;
    public final BoxqClient client;
    private final Map<String, String> env;
    private final Redis redis;
    private final PrometheusMeterRegistry registry;
    private final List<String> workerIds = new ArrayList<>();
    private final AtomicReference<ExecutorNode> node;
    private final ApiServer api;
    private BoxqConfig nodeConfig;
    private boolean maintained;
    private MaintenanceScheduler maintenance;

    private BoxqTestServer(Map<String, String> env, BoxqConfig config, Redis redis, PrometheusMeterRegistry registry,
            AtomicReference<ExecutorNode> node, ApiServer api) {
        this.env = env;
        this.config = config;
        this.redis = redis;
        this.registry = registry;
        this.node = node;
        this.api = api;
        this.client = new BoxqClient(URI.create("http://127.0.0.1:" + api.port()));
    }

    /** Starts a server for {@code testName}; {@code overrides} change the {@link TestEnvironment#serverEnv}. */
    public static BoxqTestServer start(String testName, Map<String, String> overrides) {
        BoxqTestServer server = startApiOnly(testName, overrides);
        try {
            server.startNode(server.config);
            return server;
        } catch (RuntimeException e) {
            server.stop();
            throw e;
        }
    }

    /** The api alone, no executor node: jobs wait in their streams until {@link #startNode()}. */
    public static BoxqTestServer startApiOnly(String testName, Map<String, String> overrides) {
        Map<String, String> env = TestEnvironment.serverEnv(testName);
        env.putAll(overrides);
        BoxqConfig config = BoxqConfig.fromEnv(env);
        Redis redis = new Redis(config.redis().url(), config.redis().prefix(), 64 + config.pool().maxPoolSize());
        PrometheusMeterRegistry registry = ProcessMetrics.newRegistry(); // one per process, as in Main
        AtomicReference<ExecutorNode> node = new AtomicReference<>();
        try {
            ApiServer api = new ApiServer(config, redis, Clock.systemUTC(), () -> health(node.get(), config),
                    registry).start();
            return new BoxqTestServer(env, config, redis, registry, node, api);
        } catch (RuntimeException e) {
            redis.close();
            TestEnvironment.deleteRedisKeys(config.redis().prefix());
            throw e;
        }
    }

    public String adminKey() {
        return config.server().adminKey();
    }

    /** The worker id of the node running now (of the first node when none runs). */
    public String workerId() {
        return workerIds.isEmpty() ? config.server().workerId() : workerIds.getLast();
    }

    public String prefix() {
        return config.redis().prefix();
    }

    public Redis redis() {
        return redis;
    }

    /** The node, for tests that drive its maintenance themselves ({@code reclaimStalledJobs()}, …). */
    public ExecutorNode node() {
        return node.get();
    }

    /**
     * Starts a new executor node on this server's prefix, with a new worker id (its containers are
     * removed by {@link #stop()} too); with Quartz maintenance when {@link #runMaintenance()} was asked.
     */
    public synchronized void startNode() {
        Map<String, String> nodeEnv = new HashMap<>(env);
        nodeEnv.put("WORKER_ID", TestEnvironment.unique("it-node"));
        startNode(BoxqConfig.fromEnv(nodeEnv));
    }

    private synchronized void startNode(BoxqConfig nodeConfig) {
        workerIds.add(nodeConfig.server().workerId());
        ExecutorNode started = new ExecutorNode(nodeConfig, redis, Clock.systemUTC(), registry);
        try {
            started.start();
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        this.nodeConfig = nodeConfig;
        node.set(started);
        if (maintained) {
            maintenance = new MaintenanceScheduler(nodeConfig, Main.maintenance(started));
            maintenance.start();
        }
    }

    /** Stops the node the way a shutdown does: its maintenance first, then the node. The api stays. */
    public synchronized void stopNode() {
        if (maintenance != null) {
            maintenance.close();
            maintenance = null;
        }
        ExecutorNode running = node.getAndSet(null);
        if (running != null) {
            running.close();
        }
    }

    /**
     * Starts the node's Quartz maintenance as {@code Main} does (rebalance, shrink, sweep, heartbeat,
     * …, at the intervals of the config), for tests of what the node does on its own, and for every
     * node started later. Stopped by {@link #stop()} before the node closes.
     */
    public synchronized BoxqTestServer runMaintenance() {
        maintained = true;
        ExecutorNode running = node.get();
        if (maintenance == null && running != null) {
            maintenance = new MaintenanceScheduler(nodeConfig, Main.maintenance(running));
            maintenance.start();
        }
        return this;
    }

    /** A fresh key of a fresh user, of {@code tier}; returns the secret. */
    public String newKey(String tier) {
        return client.createKey(adminKey(), TestEnvironment.unique("user"), tier).path("key").asText();
    }

    /** The container a sandbox lives in, as the sandbox's record names it. */
    public String containerOf(String sandboxId) {
        String id = redis.call(j -> j.hget(redis.keys().sandbox(sandboxId), "container_id"));
        if (id == null) {
            throw new AssertionError("sandbox " + sandboxId + " names no container");
        }
        return id;
    }

    /** A job's state as Redis holds it (for jobs whose key can no longer ask). */
    public String jobState(String jobId) {
        return redis.call(j -> j.hget(redis.keys().job(jobId), "state"));
    }

    /** Seconds until a sandbox's record expires ({@code -1}: never, {@code -2}: gone). */
    public long sandboxRecordTtlSeconds(String sandboxId) {
        return redis.call(j -> j.ttl(redis.keys().sandbox(sandboxId)));
    }

    /** Containers labelled with the running node's worker id, running or not. */
    public List<String> containers() {
        return TestEnvironment.containersOf(workerId()).stream().map(c -> c.getId()).toList();
    }

    public static boolean containerExists(String containerId) {
        try {
            TestEnvironment.inspect(containerId);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Stops the api and the node (which must remove its containers), then force-removes whatever
     * is still labelled with the worker ids of its nodes and deletes the prefix's Redis keys.
     *
     * @return the ids of containers the nodes had left behind (empty when they cleaned up)
     */
    public List<String> stop() {
        try {
            try {
                api.close();
            } finally {
                stopNode();
            }
            List<String> left = new ArrayList<>();
            workerIds.forEach(id -> left.addAll(TestEnvironment.removeContainersOf(id)));
            return left;
        } finally {
            workerIds.forEach(TestEnvironment::removeContainersOf);
            workerIds.forEach(TestEnvironment::deleteDefaultSnapshotDir);
            redis.close();
            TestEnvironment.deleteRedisKeys(prefix());
        }
    }

    /**
     * {@link #stop()}, then the promise every test server keeps: the node removed all its containers
     * and nothing of its Redis prefix is left.
     */
    public void stopAndAssertClean() {
        String prefix = prefix();
        List<String> leftBehind = stop();
        org.assertj.core.api.Assertions.assertThat(leftBehind)
                .as("containers of %s left after the node closed", workerId()).isEmpty();
        org.assertj.core.api.Assertions.assertThat(TestEnvironment.redisKeys(prefix))
                .as("Redis keys of %s left", prefix).isEmpty();
    }

    /** As {@code Main} reports a local node on /health; none while no node runs. */
    private static Optional<NodeHealth> health(ExecutorNode local, BoxqConfig config) {
        if (local == null) {
            return Optional.empty();
        }
        PoolStats s = local.poolStats();
        return Optional.of(new NodeHealth(local.node(), s.available(), s.allocated(), s.total(), s.maxCapacity(),
                s.sandboxes(), config.pool().poolSize(), config.pool().maxPoolSize(), config.pool().aggressiveCleanup(),
                local.pausedSandboxes()));
    }
}
