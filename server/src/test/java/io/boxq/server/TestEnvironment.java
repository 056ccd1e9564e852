package io.boxq.server;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.boxq.core.redis.Redis;
import io.boxq.executor.docker.DockerClients;
import io.boxq.executor.docker.Labels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What the ITs share: where Redis and Docker are ({@code REDIS_URL} / {@code DOCKER_HOST}, set by
 * scripts/test.sh), the environment of a test server with its own key prefix and worker id, and the
 * cleanup of exactly what one test made (keys by prefix, containers by their {@code boxq.node} label).
 */
public final class TestEnvironment {
    /** The runner the ITs use: the native agent, boxq's default. */
    public static final String RUNNER = "agent";
    public static final String BUSYBOX = "boxq-sandbox:busybox";
    public static final String BOOKWORM = "boxq-sandbox:bookworm";

    private TestEnvironment() {}

    public static String redisUrl() {
        return System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
    }

    /** {@code BOXQ_TEST_RUNTIME}: the deployment's default runtime in the test servers (runc unless set). */
    public static String testRuntime() {
        return System.getenv().getOrDefault("BOXQ_TEST_RUNTIME", "runc");
    }

    public static String dockerHost() {
        return System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
    }

    /** A name no other run uses: {@code <what>-<random>}. */
    public static String unique(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The snapshot directory {@link #serverEnv} gives a server of {@code workerId}. */
    public static Path defaultSnapshotDir(String workerId) {
        return Path.of(System.getProperty("java.io.tmpdir"), "boxq-it-snapshots", workerId);
    }

    /** Deletes {@link #defaultSnapshotDir} of {@code workerId} and what is in it (a test's own directory is its to delete). */
    public static void deleteDefaultSnapshotDir(String workerId) {
        Path dir = defaultSnapshotDir(workerId);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment of a small test server: its own prefix, worker id and admin key; busybox; port 0. */
    public static Map<String, String> serverEnv(String testName) {
        Map<String, String> env = new HashMap<>();
        env.put("BOXQ_ADMIN_KEY", "bq_admin_" + UUID.randomUUID().toString().replace("-", ""));
        env.put("BOXQ_REDIS_PREFIX", "test-" + unique(testName) + ":");
        env.put("WORKER_ID", unique("it-" + testName));
        // A snapshot directory belongs to one deployment (its sweep removes files it has no record of).
        env.put("SNAPSHOT_DIR", defaultSnapshotDir(env.get("WORKER_ID")).toString());
        env.put("SANDBOX_IMAGE", BUSYBOX);
        env.put("POOL_SIZE", "2");
        env.put("MIN_POOL_SIZE", "1");
        env.put("MAX_POOL_SIZE", "6");
        env.put("REDIS_URL", redisUrl());
        env.put("DOCKER_HOST", dockerHost());
        env.put("RUNNER", RUNNER);
        env.put("HOST", "127.0.0.1");
        env.put("PORT", "0");
        // In-process servers run no Quartz: a heartbeat written once must outlive the test class.
        env.put("NODE_TTL_SECONDS", "900");
        String runtime = testRuntime();
        if (!runtime.equals("runc")) { // scripts/test.sh runs a subset again under runsc
            env.put("ALLOWED_RUNTIMES", "runc," + runtime);
            env.put("SANDBOX_RUNTIME", runtime);
        }
        return env;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DockerClient docker() {
        return DockerClients.create(dockerHost(), 0);
    }

    /** Every container (running or not) labelled with {@code workerId}. */
    public static List<Container> containersOf(String workerId) {
        try (DockerClient docker = docker()) {
            return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.NODE, workerId)).exec();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static InspectContainerResponse inspect(String containerId) {
        try (DockerClient docker = docker()) {
            return docker.inspectContainerCmd(containerId).exec();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Force-removes every container labelled with {@code workerId}.
     *
     * @return the ids it found (empty when the server had cleaned up after itself)
     */
    public static List<String> removeContainersOf(String workerId) {
        List<String> removed = new ArrayList<>();
        try (DockerClient docker = docker()) {
            for (Container c : docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(Labels.NODE, workerId)).exec()) {
                removed.add(c.getId());
                try {
                    docker.removeContainerCmd(c.getId()).withForce(true).exec();
                } catch (NotFoundException e) {
                    // gone already
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    public static List<String> redisKeys(String prefix) {
        try (Redis redis = new Redis(redisUrl(), prefix, 2)) {
            List<String> found = new ArrayList<>();
            ScanParams match = new ScanParams().match(prefix + "*").count(500);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                String from = cursor;
                ScanResult<String> page = redis.call(j -> j.scan(from, match));
                found.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
            return found;
        }
    }

    /** Deletes every key under {@code prefix}; returns how many there were. */
    public static int deleteRedisKeys(String prefix) {
        List<String> keys = redisKeys(prefix);
        try (Redis redis = new Redis(redisUrl(), prefix, 2)) {
            for (String key : keys) {
                redis.run(j -> j.del(key));
            }
        }
        return keys.size();
    }
}
