package io.boxq.server;

import io.boxq.api.ApiServer;
import io.boxq.api.health.NodeHealth;
import io.boxq.api.metrics.ProcessMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.redis.Redis;
import io.boxq.executor.ExecutorNode;
import io.boxq.executor.pool.PoolStats;
import io.boxq.scheduler.MaintenanceScheduler;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The all-in-one wiring of {@link Main} (an executor node and the api in one process, talking only
 * through Redis) on a free port, with its own Redis prefix and worker id. {@link #stop()} closes it
 * the way a shutdown does and then reports what it left behind.
 */
public final class BoxqTestServer {
    public final BoxqConfig config;
    public final BoxqClient client;
    private final Redis redis;
    private final ExecutorNode node;
    private final ApiServer api;
    private MaintenanceScheduler maintenance;

    private BoxqTestServer(BoxqConfig config, Redis redis, ExecutorNode node, ApiServer api) {
        this.config = config;
        this.redis = redis;
        this.node = node;
        this.api = api;
        this.client = new BoxqClient(URI.create("http://127.0.0.1:" + api.port()));
    }

    /** Starts a server for {@code testName}; {@code overrides} change the {@link TestEnvironment#serverEnv}. */
    public static BoxqTestServer start(String testName, Map<String, String> overrides) {
        Map<String, String> env = TestEnvironment.serverEnv(testName);
        env.putAll(overrides);
        BoxqConfig config = BoxqConfig.fromEnv(env);
        Redis redis = new Redis(config.redis().url(), config.redis().prefix(), 64 + config.pool().maxPoolSize());
        ExecutorNode node = null;
        try {
            PrometheusMeterRegistry registry = ProcessMetrics.newRegistry(); // one per process, as in Main
            node = new ExecutorNode(config, redis, Clock.systemUTC(), registry);
            node.start();
            ExecutorNode local = node;
            ApiServer api = new ApiServer(config, redis, Clock.systemUTC(),
                    () -> Optional.of(health(local, config)), registry).start();
            return new BoxqTestServer(config, redis, node, api);
        } catch (RuntimeException e) {
            if (node != null) {
                node.close();
            }
            TestEnvironment.removeContainersOf(config.server().workerId());
            TestEnvironment.deleteRedisKeys(config.redis().prefix());
            redis.close();
            throw e;
        }
    }

    public String adminKey() {
        return config.server().adminKey();
    }

    public String workerId() {
        return config.server().workerId();
    }

    public String prefix() {
        return config.redis().prefix();
    }

    /** The node, for tests that drive its maintenance themselves ({@code reclaimStalledJobs()}, …). */
    public ExecutorNode node() {
        return node;
    }

    /**
     * Starts the node's Quartz maintenance as {@code Main} does (rebalance, shrink, sweep, heartbeat,
     * …, at the intervals of the config), for tests of what the node does on its own. Stopped by
     * {@link #stop()} before the node closes.
     */
    public synchronized BoxqTestServer runMaintenance() {
        if (maintenance == null) {
            maintenance = new MaintenanceScheduler(config, Main.maintenance(node));
            maintenance.start();
        }
        return this;
    }

    /**
     * Stops the api and the node (which must remove its containers), then force-removes whatever
     * is still labelled with this worker id and deletes the prefix's Redis keys.
     *
     * @return the ids of containers the node had left behind (empty when it cleaned up)
     */
    public List<String> stop() {
        try {
            try {
                if (maintenance != null) {
                    maintenance.close();
                }
                api.close();
            } finally {
                node.close();
            }
            return TestEnvironment.removeContainersOf(workerId());
        } finally {
            TestEnvironment.removeContainersOf(workerId());
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

    /** As {@code Main} reports a local node on /health. */
    private static NodeHealth health(ExecutorNode node, BoxqConfig config) {
        PoolStats s = node.poolStats();
        return new NodeHealth(node.node(), s.available(), s.allocated(), s.total(), s.maxCapacity(), 0,
                config.pool().poolSize(), config.pool().maxPoolSize(), config.pool().aggressiveCleanup(),
                node.pausedSandboxes());
    }
}
