package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.boxq.api.ApiServer;
import io.boxq.api.health.NodeHealth;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.redis.Redis;
import io.boxq.executor.docker.DockerClients;
import io.boxq.executor.docker.Labels;
import io.boxq.executor.ExecutorNode;
import io.boxq.executor.pool.PoolStats;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * An all-in-one boxq wired as {@code Main} wires it (an executor node and the api in one process,
 * talking only through Redis) on a free port, with its own Redis prefix, worker id and admin key.
 * No Quartz: the tests call {@link ExecutorNode#shrinkIdle()} and {@link ExecutorNode#sweepOrphans()}
 * themselves, so expiry is driven deterministically. {@link #stop()} closes it and reports leftovers.
 *
 * <p>(The shared {@code io.boxq.server.BoxqTestServer} is package-private, so this package has its own.)
 */
final class TenancyServer {
    static final String BUSYBOX = "boxq-sandbox:busybox";

    final BoxqConfig config;
    final Api api;
    private final Redis redis;
    private final ExecutorNode node;
    private final ApiServer http;

    private TenancyServer(BoxqConfig config, Redis redis, ExecutorNode node, ApiServer http) {
        this.config = config;
        this.redis = redis;
        this.node = node;
        this.http = http;
        this.api = new Api(URI.create("http://127.0.0.1:" + http.port()));
    }

    static String redisUrl() {
        return TestEnvironment.redisUrl();
    }

    static String dockerHost() {
        return System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
    }

    static String unique(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Starts a server for the test class {@code name}; {@code overrides} change the small default environment. */
    static TenancyServer start(String name, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("BOXQ_ADMIN_KEY", "bq_admin_" + UUID.randomUUID().toString().replace("-", ""));
        env.put("BOXQ_REDIS_PREFIX", "test-" + unique(name) + ":");
        env.put("WORKER_ID", unique("it-" + name));
        env.put("REDIS_URL", redisUrl());
        env.put("DOCKER_HOST", dockerHost());
        env.put("SANDBOX_IMAGE", BUSYBOX);
        env.put("RUNNER", TestEnvironment.RUNNER);
        env.put("POOL_SIZE", "2");
        env.put("MIN_POOL_SIZE", "1");
        env.put("MAX_POOL_SIZE", "8");
        // Without Quartz nothing renews the heartbeat; the node must stay alive for the whole class.
        env.put("NODE_TTL_SECONDS", "900");
        env.put("HOST", "127.0.0.1");
        env.put("PORT", "0");
        env.putAll(overrides);
        BoxqConfig config = BoxqConfig.fromEnv(env);
        Redis redis = new Redis(config.redis().url(), config.redis().prefix(), 64 + config.pool().maxPoolSize());
        ExecutorNode node = null;
        try {
            node = new ExecutorNode(config, redis, Clock.systemUTC());
            node.start();
            ExecutorNode local = node;
            ApiServer http = new ApiServer(config, redis, Clock.systemUTC(),
                    () -> Optional.of(health(local, config))).start();
            return new TenancyServer(config, redis, node, http);
        } catch (RuntimeException e) {
            if (node != null) {
                node.close();
            }
            removeContainersOf(config.server().workerId());
            TestEnvironment.deleteRedisKeys(config.redis().prefix());
            redis.close();
            throw e;
        }
    }

    String adminKey() {
        return config.server().adminKey();
    }

    String workerId() {
        return config.server().workerId();
    }

    String prefix() {
        return config.redis().prefix();
    }

    ExecutorNode node() {
        return node;
    }

    /** A fresh key of a fresh user; returns the secret. */
    String newKey(String tier) {
        return api.createKey(adminKey(), unique("user"), tier).path("key").asText();
    }

    /** The container a sandbox lives in, as the sandbox's record names it. */
    String containerOf(String sandboxId) {
        String id = redis.call(j -> j.hget(redis.keys().sandbox(sandboxId), "container_id"));
        if (id == null) {
            throw new AssertionError("sandbox " + sandboxId + " names no container");
        }
        return id;
    }

    /** A job's state as Redis holds it (for jobs whose key can no longer ask). */
    String jobState(String jobId) {
        return redis.call(j -> j.hget(redis.keys().job(jobId), "state"));
    }

    /** Seconds until a sandbox's record expires ({@code -1}: never, {@code -2}: gone). */
    long sandboxRecordTtlSeconds(String sandboxId) {
        return redis.call(j -> j.ttl(redis.keys().sandbox(sandboxId)));
    }

    static boolean containerExists(String containerId) {
        try (DockerClient docker = docker()) {
            docker.inspectContainerCmd(containerId).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Containers labelled with this server's worker id, running or not. */
    List<String> containers() {
        return containerIds(workerId());
    }

    /**
     * Stops the api and the node (which must remove its containers), then force-removes whatever
     * is still labelled with this worker id and deletes the prefix's Redis keys.
     *
     * @return the containers the node had left behind (empty when it cleaned up after itself)
     */
    List<String> stop() {
        try {
            http.close();
            node.close();
            return removeContainersOf(workerId());
        } finally {
            TestEnvironment.deleteRedisKeys(config.redis().prefix());
            redis.close();
        }
    }

    /** {@link #stop()}, then asserts that no container of this node and no key of its prefix is left. */
    void stopAndCheck() {
        List<String> leftBehind = stop();
        assertThat(leftBehind).as("containers of %s left after the node closed", workerId()).isEmpty();
        assertThat(containerIds(workerId())).isEmpty();
        assertThat(keysLeft(prefix())).as("keys under %s", prefix()).isZero();
    }

    private static NodeHealth health(ExecutorNode node, BoxqConfig config) {
        PoolStats s = node.poolStats();
        return new NodeHealth(node.node(), s.available(), s.allocated(), s.total(), s.maxCapacity(), s.sandboxes(),
                config.pool().poolSize(), config.pool().maxPoolSize(), config.pool().aggressiveCleanup());
    }

    private static DockerClient docker() {
        return DockerClients.create(dockerHost(), 0);
    }

    private static List<String> containerIds(String workerId) {
        try (DockerClient docker = docker()) {
            return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.NODE, workerId))
                    .exec().stream().map(Container::getId).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> removeContainersOf(String workerId) {
        List<String> found = new ArrayList<>();
        try (DockerClient docker = docker()) {
            for (String id : containerIds(workerId)) {
                found.add(id);
                try {
                    docker.removeContainerCmd(id).withForce(true).exec();
                } catch (NotFoundException e) {
                    // gone already
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** How many keys of {@code prefix} are left (after {@link #stop()} there should be none). */
    static long keysLeft(String prefix) {
        return TestEnvironment.redisKeys(prefix).size();
    }
}
