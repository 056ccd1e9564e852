package io.boxq.server.snapshots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.boxq.core.redis.Redis;

/**
 * Snapshots (docs/architecture.md, "Snapshots and forks"): a workspace saved and restored into a
 * new sandbox keeps its files, modes, symlinks and empty directories byte for byte; a workspace
 * over the key's size limit is a 413 naming it; another key's snapshot is not found; an expired
 * one leaves Redis and the disk; a delete leaves nothing on disk.
 */
class SnapshotsIT {
    /** A workspace of every kind of entry; the 000 file and the x-less directory hold data too. */
    static final String SETUP = "cd /workspace && mkdir -p src/deep empty locked && echo hello > src/a.txt"
            + " && head -c 5242880 /dev/urandom > bin && printf 'x\\000y' > src/deep/nul && ln -s src/a.txt link"
            + " && ln -s /nowhere dangling && ln bin hard && mkfifo pipe && echo secret > locked/in"
            + " && echo zero > zero && chmod 000 zero && chmod 640 src/a.txt && chmod 1750 src"
            + " && chmod 600 locked";
    /**
     * Every entry with its mode, type, size and link target, and the checksums of the files; the
     * 000 file and the x-less directory are opened for the listing (the owner may) and closed again.
     */
    static final String LISTING = "cd /workspace && stat -c '%a %n' zero locked && chmod 700 locked && chmod 600 zero"
            + " && find . ! -name pipe | sort | while read f; do stat -c '%a %F %N %h' \"$f\"; done"
            + " && find . -type f | sort | xargs sha256sum && chmod 000 zero && chmod 600 locked";

    private static BoxqTestServer server;
    private static BoxqClient http;
    private static Path dir;
    private static String key;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("boxq-snapshots-it");
        server = BoxqTestServer.start("snapshots", Map.of("SNAPSHOT_DIR", dir.toString(),
                "TIER_ENTERPRISE_SNAPSHOT_BYTES", "1m", "MAX_POOL_SIZE", "6"));
        http = server.client;
        key = http.createKey(server.adminKey(), "snap-user", "pro").path("key").asText();
    }

    @AfterAll
    static void stop() throws IOException {
        server.stopAndAssertClean();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> f.toFile().delete());
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void snapshot_delete_restore_brings_back_files_modes_symlinks_and_a_5_mib_binary_byte_for_byte() {
        String sandbox = createSandbox(key, Map.of());
        assertThat(run(key, sandbox, SETUP).path("exit_code").asInt()).isZero();
        String before = run(key, sandbox, LISTING).path("stdout").asText();

        Reply taken = http.post("/v1/sandboxes/" + sandbox + "/snapshots", key, Map.of());

        assertThat(taken.status()).as(taken.body()).isEqualTo(201);
        JsonNode snap = taken.json();
        assertThat(snap.path("sandbox_id").asText()).isEqualTo(sandbox);
        assertThat(snap.path("size_bytes").asLong()).isGreaterThan(5L << 20);
        assertThat(snap.path("expires_at").asText()).isNotEmpty();
        assertThat(snap.path("skipped").toString()).contains("/workspace/pipe");
        assertThat(http.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);

        String restored = createSandbox(key, Map.of("snapshot_id", snap.path("id").asText()));

        assertThat(run(key, restored, LISTING).path("stdout").asText()).isEqualTo(before).contains("1750 directory")
                .startsWith("0 zero\n600 locked\n").contains("symbolic link './link' -> 'src/a.txt'")
                .contains("directory ./empty");
        assertThat(run(key, restored, "test -e pipe || echo no-fifo").path("stdout").asText()).isEqualTo("no-fifo\n");
        assertThat(run(key, restored, "echo more >> src/a.txt && cat src/a.txt").path("stdout").asText())
                .as("the workspace is writable after the restore").isEqualTo("hello\nmore\n");
        assertThat(http.delete("/v1/sandboxes/" + restored, key).status()).isEqualTo(204);
        deleteSnapshot(key, snap.path("id").asText());
    }

    @Test
    void quota_usage_shows_the_snapshot_limits_and_what_the_keys_snapshots_take() {
        String own = http.createKey(server.adminKey(), "snap-usage", "pro").path("key").asText();
        JsonNode before = http.get("/v1/quota/usage", own).json();
        assertThat(before.path("limits").path("snapshots").asInt()).isEqualTo(50);
        assertThat(before.path("limits").path("snapshot_bytes").asLong()).isEqualTo(20L << 30);
        assertThat(before.path("limits").path("snapshot_lifetime_s").asLong()).isEqualTo(168 * 3600);
        assertThat(before.path("usage").path("snapshots").asInt()).isZero();
        assertThat(before.path("usage").path("snapshot_bytes").asLong()).isZero();
        String sandbox = createSandbox(own, Map.of());
        run(own, sandbox, "head -c 30000 /dev/zero > /workspace/f");

        JsonNode snap = http.post("/v1/sandboxes/" + sandbox + "/snapshots", own, Map.of()).json();

        JsonNode usage = http.get("/v1/quota/usage", own).json().path("usage");
        assertThat(usage.path("snapshots").asInt()).isEqualTo(1);
        assertThat(usage.path("snapshot_bytes").asLong()).isEqualTo(snap.path("size_bytes").asLong()).isGreaterThan(30000);
        deleteSnapshot(own, snap.path("id").asText());
        usage = http.get("/v1/quota/usage", own).json().path("usage");
        assertThat(usage.path("snapshots").asInt()).isZero();
        assertThat(usage.path("snapshot_bytes").asLong()).isZero();
        http.delete("/v1/sandboxes/" + sandbox, own);
    }

    @Test
    void a_workspace_over_the_size_limit_is_a_413_naming_it_and_leaves_nothing() {
        String big = http.createKey(server.adminKey(), "snap-big", "enterprise").path("key").asText();
        String sandbox = createSandbox(big, Map.of());
        run(big, sandbox, "head -c 2097152 /dev/zero > /workspace/two-mib");

        Reply refused = http.post("/v1/sandboxes/" + sandbox + "/snapshots", big, Map.of());

        assertThat(refused.status()).as(refused.body()).isEqualTo(413);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().path("limit").asText()).isEqualTo("snapshot_bytes");
        assertThat(refused.json().path("detail").asText()).contains("snapshot_bytes");
        assertThat(http.get("/v1/snapshots", big).json().path("snapshots").size()).isZero();
        assertThat(snapshotFiles()).noneMatch(f -> f.contains("tmp"));
        assertThat(run(big, sandbox, "echo alive").path("stdout").asText())
                .as("the sandbox runs on after the cut-off copy").isEqualTo("alive\n");
        http.delete("/v1/sandboxes/" + sandbox, big);
    }

    @Test
    void another_keys_snapshot_is_not_found_and_an_expired_one_leaves_redis_and_the_disk() {
        String sandbox = createSandbox(key, Map.of());
        run(key, sandbox, "echo mine > /workspace/f");
        String id = http.post("/v1/sandboxes/" + sandbox + "/snapshots", key, Map.of()).json().path("id").asText();
        String other = http.createKey(server.adminKey(), "snap-other", "pro").path("key").asText();

        assertThat(http.get("/v1/snapshots/" + id, other).status()).isEqualTo(404);
        assertThat(http.delete("/v1/snapshots/" + id, other).status()).isEqualTo(404);
        assertThat(http.post("/v1/sandboxes", other, Map.of("snapshot_id", id)).status()).isEqualTo(404);
        assertThat(http.get("/v1/snapshots", other).json().path("snapshots").size()).isZero();
        assertThat(http.get("/v1/snapshots/" + id, key).json().path("available").asBoolean()).isTrue();
        assertThat(snapshotFiles()).contains(id + ".tar.gz");

        expireNow(id);
        server.node().sweepSnapshots();

        assertThat(http.get("/v1/snapshots/" + id, key).status()).isEqualTo(404);
        assertThat(TestEnvironment.redisKeys(server.prefix())).noneMatch(k -> k.contains(id));
        assertThat(snapshotFiles()).doesNotContain(id + ".tar.gz");
        http.delete("/v1/sandboxes/" + sandbox, key);
    }

    @Test
    void revoking_a_key_deletes_its_snapshots_from_redis_and_disk() {
        JsonNode created = http.createKey(server.adminKey(), "snap-revoked", "pro");
        String revoked = created.path("key").asText();
        String sandbox = createSandbox(revoked, Map.of());
        String id = http.post("/v1/sandboxes/" + sandbox + "/snapshots", revoked, Map.of()).json().path("id").asText();
        assertThat(snapshotFiles()).contains(id + ".tar.gz");

        assertThat(http.delete("/v1/keys/" + created.path("id").asText(), server.adminKey()).status()).isEqualTo(204);

        assertThat(TestEnvironment.redisKeys(server.prefix())).noneMatch(k -> k.contains(id));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(snapshotFiles()).doesNotContain(id + ".tar.gz"));
    }

    @Test
    void a_snapshot_kept_by_a_node_that_is_down_lists_as_unavailable_and_cannot_be_restored() {
        String sandbox = createSandbox(key, Map.of());
        String id = http.post("/v1/sandboxes/" + sandbox + "/snapshots", key, Map.of()).json().path("id").asText();
        http.delete("/v1/sandboxes/" + sandbox, key);
        try (Redis redis = new Redis(TestEnvironment.redisUrl(), server.prefix(), 2)) {
            redis.run(j -> j.del(redis.keys().node(server.workerId()))); // as when its heartbeat expires
        }
        try {
            assertThat(http.get("/v1/snapshots/" + id, key).json().path("available").asBoolean()).isFalse();
            Reply refused = http.post("/v1/sandboxes", key, Map.of("snapshot_id", id));
            assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        } finally {
            server.node().heartbeat();
        }
        deleteSnapshot(key, id);
    }

    @Test
    void a_paused_sandbox_is_snapshotted_and_stays_paused_and_a_deleted_snapshot_leaves_nothing_on_disk() {
        String sandbox = createSandbox(key, Map.of());
        run(key, sandbox, "echo kept > /workspace/f");
        assertThat(http.post("/v1/sandboxes/" + sandbox + "/pause", key, Map.of()).status()).isEqualTo(200);
        Reply taken = http.post("/v1/sandboxes/" + sandbox + "/snapshots", key, Map.of());
        assertThat(taken.status()).as(taken.body()).isEqualTo(201);
        assertThat(http.get("/v1/sandboxes/" + sandbox, key).json().path("state").asText()).isEqualTo("paused");
        String id = taken.json().path("id").asText();
        assertThat(snapshotFiles()).contains(id + ".tar.gz");

        deleteSnapshot(key, id);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(snapshotFiles()).doesNotContain(id + ".tar.gz"));
        assertThat(run(key, sandbox, "cat /workspace/f").path("stdout").asText()).isEqualTo("kept\n");
        http.delete("/v1/sandboxes/" + sandbox, key);
    }

    static String createSandbox(BoxqClient http, String key, Map<String, ?> body) {
        Reply r = http.post("/v1/sandboxes", key, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    private static String createSandbox(String key, Map<String, ?> body) {
        return createSandbox(http, key, body);
    }

    static JsonNode run(BoxqClient http, String key, String sandbox, String command) {
        JsonNode job = http.run(key, Map.of("command", command, "sandbox_id", sandbox));
        assertThat(job.path("state").asText()).as(job.toString()).isIn("succeeded", "failed");
        return job;
    }

    private static JsonNode run(String key, String sandbox, String command) {
        return run(http, key, sandbox, command);
    }

    private static void deleteSnapshot(String key, String id) {
        assertThat(http.delete("/v1/snapshots/" + id, key).status()).isEqualTo(204);
    }

    /** Moves a snapshot's end of life to the past, as time would. */
    private static void expireNow(String id) {
        try (Redis redis = new Redis(TestEnvironment.redisUrl(), server.prefix(), 2)) {
            redis.run(j -> j.zadd(server.prefix() + "snapshots:expiry", 1, id));
            redis.run(j -> j.hset(server.prefix() + "snapshot:" + id, "expires_at", "1"));
        }
    }

    private static List<String> snapshotFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
