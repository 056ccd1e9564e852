package io.boxq.server.snapshots;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.redis.Redis;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one Redis prefix sharing one {@code SNAPSHOT_DIR} (as an NFS mount would): a
 * snapshot taken on one node is restored on the other (docs/deploy.md, "Snapshots").
 */
class SharedSnapshotDirIT {
    private BoxqTestServer one;
    private BoxqTestServer two;
    private Path dir;

    @BeforeEach
    void startTwoNodes() throws IOException {
        dir = Files.createTempDirectory("boxq-shared-snapshots");
        Map<String, String> env = Map.of("SNAPSHOT_DIR", dir.toString(), "SNAPSHOT_DIR_SHARED", "true",
                "POOL_SIZE", "1", "MIN_POOL_SIZE", "1", "MAX_POOL_SIZE", "3");
        one = BoxqTestServer.start("shared-snap", env);
        Map<String, String> same = new LinkedHashMap<>(env);
        same.putAll(Map.of("BOXQ_REDIS_PREFIX", one.prefix(), "BOXQ_ADMIN_KEY", one.adminKey()));
        two = BoxqTestServer.start("shared-snap", same);
    }

    @AfterEach
    void stopBoth() throws IOException {
        List<String> leftByOne = one == null ? List.of() : one.stop();
        if (two != null) {
            two.stopAndAssertClean();
        }
        assertThat(leftByOne).isEmpty();
        try (var files = Files.list(dir)) {
            files.forEach(f -> f.toFile().delete());
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void a_snapshot_taken_on_one_node_is_restored_on_the_other() {
        BoxqClient http = one.client;
        String key = http.createKey(one.adminKey(), "shared", "pro").path("key").asText();
        String sandbox = SnapshotsIT.createSandbox(http, key, Map.of());
        String taker = http.get("/v1/sandboxes/" + sandbox, key).json().path("node").asText();
        SnapshotsIT.run(http, key, sandbox, "echo shared > /workspace/f && chmod 600 /workspace/f");
        Reply snap = http.post("/v1/sandboxes/" + sandbox + "/snapshots", key, Map.of());
        assertThat(snap.status()).as(snap.body()).isEqualTo(201);
        assertThat(snap.json().path("shared").asBoolean()).isTrue();
        http.delete("/v1/sandboxes/" + sandbox, key);
        BoxqTestServer other = taker.equals(one.workerId()) ? two : one;
        forgetHeartbeat(taker); // the api now places new sandboxes on the other node only

        String restored = SnapshotsIT.createSandbox(http, key, Map.of("snapshot_id", snap.json().path("id").asText()));

        assertThat(http.get("/v1/sandboxes/" + restored, key).json().path("node").asText()).isEqualTo(other.workerId());
        assertThat(SnapshotsIT.run(http, key, restored, "stat -c '%a' f; cat f").path("stdout").asText())
                .isEqualTo("600\nshared\n");
        http.delete("/v1/sandboxes/" + restored, key);
        assertThat(http.delete("/v1/snapshots/" + snap.json().path("id").asText(), key).status()).isEqualTo(204);
        (taker.equals(one.workerId()) ? one : two).node().heartbeat();
    }

    private void forgetHeartbeat(String node) {
        try (Redis redis = new Redis(TestEnvironment.redisUrl(), one.prefix(), 2)) {
            redis.run(j -> j.del(redis.keys().node(node)));
        }
    }
}
