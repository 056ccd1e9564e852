package io.boxq.server.snapshots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.redis.Redis;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqProcess;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node killed with SIGKILL while it writes a snapshot leaves no half snapshot that lists as
 * ready: the file is complete under its real name before its record says ready, and what the dead
 * node left (a pending record, a temporary file) is swept once its heartbeat is gone.
 */
class SnapshotCrashIT {
    private BoxqProcess victim;
    private BoxqTestServer survivor;
    private Path dir;
    private String prefix;

    @AfterEach
    void cleanUp() throws IOException {
        if (victim != null) {
            victim.close();
            TestEnvironment.removeContainersOf(victim.workerId);
        }
        if (survivor != null) {
            survivor.stopAndAssertClean();
        }
        TestEnvironment.deleteRedisKeys(prefix);
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> f.toFile().delete());
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void a_node_killed_while_it_writes_a_snapshot_leaves_nothing_that_lists_as_ready() throws Exception {
        dir = Files.createTempDirectory("boxq-snapshot-crash");
        Map<String, String> env = new HashMap<>(TestEnvironment.serverEnv("snapcrash"));
        // A slow copy (5 % of a core for tar) leaves time to kill the node while it writes.
        env.putAll(Map.of("SNAPSHOT_DIR", dir.toString(), "SNAPSHOT_DIR_SHARED", "true", "CPU_QUOTA_PERCENT", "5",
                "NODE_TTL_SECONDS", "5", "HEARTBEAT_INTERVAL_SECONDS", "1"));
        prefix = env.get("BOXQ_REDIS_PREFIX");
        victim = BoxqProcess.launch("SnapshotCrashIT-victim", env);
        victim.awaitUp();
        BoxqClient http = victim.client;
        String key = http.createKey(env.get("BOXQ_ADMIN_KEY"), "crash", "pro").path("key").asText();
        String sandbox = SnapshotsIT.createSandbox(http, key, Map.of());
        // Sparse: made at once whatever the CPU quota, and still 200 MB for tar to read (on a CI run,
        // writing them at 5 % of a core outlasted the job's timeout).
        SnapshotsIT.run(http, key, sandbox, "truncate -s 200000000 /workspace/big");
        Thread.ofVirtual().start(() -> http.post("/v1/sandboxes/" + sandbox + "/snapshots", key, Map.of()));

        await("the node writes the snapshot").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> files().stream().anyMatch(f -> f.endsWith(".tmp")));
        victim.kill();

        assertThat(files()).noneMatch(f -> f.endsWith(".tar.gz"));
        List<String> ids = snapshotIds();
        assertThat(ids).hasSize(1);
        Map<String, String> env2 = new HashMap<>(Map.of("SNAPSHOT_DIR", dir.toString(), "SNAPSHOT_DIR_SHARED", "true",
                "BOXQ_REDIS_PREFIX", prefix, "BOXQ_ADMIN_KEY", env.get("BOXQ_ADMIN_KEY")));
        survivor = BoxqTestServer.start("snapcrash", env2);
        JsonNode listed = survivor.client.get("/v1/snapshots", key).json().path("snapshots");
        assertThat(listed).allSatisfy(s -> {
            assertThat(s.path("state").asText()).isEqualTo("pending");
            assertThat(s.path("available").asBoolean()).isFalse();
        });
        assertThat(survivor.client.post("/v1/sandboxes", key, Map.of("snapshot_id", ids.get(0))).status())
                .isEqualTo(404);

        await("the dead node's heartbeat expires").atMost(Duration.ofSeconds(30))
                .until(() -> !heartbeatAlive(victim.workerId));
        survivor.node().sweepSnapshots();

        assertThat(survivor.client.get("/v1/snapshots", key).json().path("snapshots").size()).isZero();
        assertThat(files()).isEmpty();
    }

    private List<String> files() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> snapshotIds() {
        try (Redis redis = new Redis(TestEnvironment.redisUrl(), prefix, 2)) {
            return redis.call(j -> j.zrange(prefix + "snapshots:expiry", 0, -1));
        }
    }

    private boolean heartbeatAlive(String node) {
        try (Redis redis = new Redis(TestEnvironment.redisUrl(), prefix, 2)) {
            return redis.call(j -> j.exists(redis.keys().node(node)));
        }
    }
}
