package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisKeys;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two executor nodes on one Redis prefix (two in-process servers; the api of the first serves every
 * call), as docs/architecture.md ("A job's way", "Processes and modules") has them: a sandbox's jobs and file calls run on the node that
 * holds the sandbox, in its container, and its files stay between them; plain jobs go to whichever
 * node can start them, and a node takes only as many as it can start now, so a busy node leaves
 * the rest to the other.
 *
 * <p>No Quartz: the test writes the heartbeats (which the api's choice of a sandbox's node reads)
 * itself, so the placement follows from the pools' figures, not from timing.
 */
class SeveralNodesIT {
    private static final int JOBS = 40;

    private BoxqTestServer one;
    private BoxqTestServer two;
    private BoxqClient http;

    /** Fresh nodes for each test: where a sandbox goes depends on the warm containers of each pool. */
    @BeforeEach
    void startTwoNodes() {
        Map<String, String> pool = Map.of("POOL_SIZE", "2", "MIN_POOL_SIZE", "1", "MAX_POOL_SIZE", "3");
        one = BoxqTestServer.start("nodes", pool);
        Map<String, String> shared = new LinkedHashMap<>(pool);
        shared.putAll(Map.of("BOXQ_REDIS_PREFIX", one.prefix(), "BOXQ_ADMIN_KEY", one.adminKey()));
        two = BoxqTestServer.start("nodes", shared);
        http = one.client;
    }

    @AfterEach
    void stopBoth() {
        List<String> leftByOne = one == null ? List.of() : one.stop();
        if (two != null) {
            two.stopAndAssertClean();
        }
        assertThat(leftByOne).as("containers the first node left").isEmpty();
    }

    @Test
    void each_sandbox_runs_its_jobs_and_file_calls_on_the_node_holding_it_and_keeps_its_files() {
        String key = newKey();
        Map<String, String> nodeOf = new LinkedHashMap<>(); // sandbox -> its node
        for (int i = 0; i < 3 && !nodeOf.values().containsAll(List.of(one.workerId(), two.workerId())); i++) {
            BoxqClient.Reply r = http.post("/v1/sandboxes", key, "{}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            nodeOf.put(r.json().path("id").asText(), r.json().path("node").asText());
            one.node().heartbeat(); // the next sandbox's node is chosen by these figures
            two.node().heartbeat();
        }
        assertThat(nodeOf.values()).as("the nodes the sandboxes went to").contains(one.workerId(), two.workerId());

        try (Redis redis = new Redis(TestEnvironment.redisUrl(), one.prefix(), 2)) {
            for (Map.Entry<String, String> s : nodeOf.entrySet()) {
                assertSandboxWorksOnItsNode(redis, key, s.getKey(), s.getValue());
            }
        }
        for (String sandbox : nodeOf.keySet()) {
            BoxqClient.Reply r = http.delete("/v1/sandboxes/" + sandbox, key);
            assertThat(r.status()).as(r.body()).isIn(200, 204);
        }
        await("the sandboxes' containers are given up").atMost(Duration.ofSeconds(30))
                .until(() -> one.node().poolStats().sandboxes() + two.node().poolStats().sandboxes() == 0);
    }

    /**
     * Both nodes' heartbeats are written once and then go stale: the api counts each node's
     * sandboxes in Redis, so once a node's every container is a sandbox the next one goes to the
     * other node instead of failing on the full one.
     */
    @Test
    void sandboxes_fill_both_nodes_and_none_goes_to_a_node_without_room() {
        String key = newKey();
        one.node().heartbeat();
        two.node().heartbeat();
        Map<String, Integer> perNode = new LinkedHashMap<>();
        List<String> sandboxes = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) { // 2 nodes x MAX_POOL_SIZE 3
            BoxqClient.Reply r = http.post("/v1/sandboxes", key, "{}");
            assertThat(r.status()).as("sandbox %d: %s", i + 1, r.body()).isEqualTo(201);
            sandboxes.add(r.json().path("id").asText());
            perNode.merge(r.json().path("node").asText(), 1, Integer::sum);
        }

        assertThat(perNode).containsOnly(Map.entry(one.workerId(), 3), Map.entry(two.workerId(), 3));
        for (String sandbox : sandboxes) {
            assertThat(http.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
        }
    }

    private void assertSandboxWorksOnItsNode(Redis redis, String key, String sandbox, String node) {
        String container = redis.call(j -> j.hget(redis.keys().sandbox(sandbox), "container_id"));
        assertThat(TestEnvironment.containersOf(node)).as("the containers labelled with " + node)
                .anySatisfy(c -> assertThat(c.getId()).isEqualTo(container));

        BoxqClient.Reply put = http.send(http.request("/v1/sandboxes/" + sandbox + "/files?path=note.txt", key)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofString("note of " + sandbox)));
        assertThat(put.status()).as(put.body()).isBetween(200, 204);
        JsonNode first = http.run(key, Map.of("sandbox_id", sandbox,
                "command", "cat note.txt; echo; hostname; echo made by a job of " + sandbox + " > made.txt"));
        JsonNode second = http.run(key, Map.of("sandbox_id", sandbox, "command", "cat made.txt"));
        BoxqClient.Reply made = http.get("/v1/sandboxes/" + sandbox + "/files?path=made.txt", key);

        for (JsonNode job : List.of(first, second)) {
            assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
            assertThat(job.path("node").asText()).as("the node of " + job).isEqualTo(node);
        }
        List<String> lines = first.path("stdout").asText().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).as("the file put before the job").isEqualTo("note of " + sandbox);
        assertThat(lines.get(1)).as("the job's hostname: the short id of the sandbox's container")
                .hasSize(12).isEqualTo(container.substring(0, 12));
        assertThat(second.path("stdout").asText()).isEqualTo("made by a job of " + sandbox + "\n");
        assertThat(made.status()).as(made.body()).isEqualTo(200);
        assertThat(made.body()).isEqualTo("made by a job of " + sandbox + "\n");
    }

    /**
     * Each node has room for as many jobs as its pool's maximum less its sandboxes. The first jobs
     * sleep until cancelled, one more than both nodes together have room for: all but the last run
     * at once only if each node took no more than it could start and the other took the rest, and
     * the jobs after them wait in the stream. When one job of the first node is cancelled, that
     * node reads the next entry, and only it (its pending entries are counted in Redis, so a node
     * that read more than its room would show at once). Then the sleepers are cancelled and the
     * jobs that waited run.
     */
    @Test
    void plain_jobs_spread_over_both_nodes_because_a_node_reads_only_what_it_can_start() {
        String key = newKey();
        int roomOne = room(one);
        int roomTwo = room(two);
        int sleepers = roomOne + roomTwo + 1;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            String command = i < sleepers ? "sleep 300" : "echo " + i;
            ids.add(http.submit(key, Map.of("command", command, "timeout_s", 600)).path("id").asText());
        }
        List<String> holders = ids.subList(0, sleepers - 1);
        String next = ids.get(sleepers - 1);
        List<String> waiting = ids.subList(sleepers - 1, JOBS);
        Map<String, Long> full = Map.of(one.workerId(), (long) roomOne, two.workerId(), (long) roomTwo);

        try (Redis redis = new Redis(TestEnvironment.redisUrl(), one.prefix(), 2)) {
            await("both nodes are full").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> holders.stream().allMatch(id -> state(key, id).equals("running")));
            Map<String, List<String>> byNode = holders.stream()
                    .collect(Collectors.groupingBy(id -> view(key, id).path("node").asText()));
            assertThat(byNode.keySet()).containsExactlyInAnyOrder(one.workerId(), two.workerId());
            assertThat(byNode.get(one.workerId())).hasSize(roomOne);
            assertThat(byNode.get(two.workerId())).hasSize(roomTwo);
            assertThat(pendingByNode(redis)).as("entries each node has read").isEqualTo(full);
            assertThat(waiting).as("with both nodes full, the later jobs wait in the stream")
                    .allSatisfy(id -> assertThat(state(key, id)).isEqualTo("queued"));

            cancel(key, byNode.get(one.workerId()).getFirst());
            await("the first node takes the next job").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> state(key, next).equals("running"));
            assertThat(view(key, next).path("node").asText()).isEqualTo(one.workerId());
            assertThat(pendingByNode(redis)).as("entries each node has read after one place freed").isEqualTo(full);
            assertThat(waiting.subList(1, waiting.size())).allSatisfy(id -> assertThat(state(key, id)).isEqualTo("queued"));
        }

        ids.subList(0, sleepers).forEach(id -> cancel(key, id));
        Map<String, Long> ranOn = new LinkedHashMap<>();
        for (int i = 0; i < JOBS; i++) {
            JsonNode ended = http.awaitEnd(key, ids.get(i));
            boolean slept = i < sleepers;
            assertThat(ended.path("state").asText()).as(ended.toString()).isEqualTo(slept ? "cancelled" : "succeeded");
            if (!slept) {
                assertThat(ended.path("stdout").asText()).isEqualTo(i + "\n");
            }
            ranOn.merge(ended.path("node").asText(), 1L, Long::sum);
        }
        assertThat(ranOn.keySet()).as("the nodes the %d jobs ran on", JOBS)
                .containsExactlyInAnyOrder(one.workerId(), two.workerId());
        JsonNode usage = http.get("/v1/quota/usage", key).json().path("usage");
        assertThat(usage.path("running_jobs").asInt()).as("run slots held").isZero();
    }

    /** Cancels a job unless it has ended already (a job cancelled earlier answers 409). */
    private void cancel(String key, String id) {
        BoxqClient.Reply r = http.post("/v1/jobs/" + id + "/cancel", key, "");
        assertThat(r.status()).as(r.body()).isIn(200, 409);
    }

    /** Entries of the shared stream each node has read and not yet finished (XPENDING). */
    private static Map<String, Long> pendingByNode(Redis redis) {
        return redis.call(j -> j.xpending(redis.keys().jobsStream(), RedisKeys.GROUP)).getConsumerMessageCount();
    }

    private String state(String key, String id) {
        return view(key, id).path("state").asText();
    }

    /** How many jobs a node can run at once now: its pool's maximum less its sandboxes. */
    private static int room(BoxqTestServer server) {
        var stats = server.node().poolStats();
        return stats.maxCapacity() - stats.sandboxes();
    }

    private JsonNode view(String key, String id) {
        BoxqClient.Reply r = http.get("/v1/jobs/" + id, key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** A free key (the shape the pools keep warm) with room for every job of a test and a few sandboxes. */
    private String newKey() {
        BoxqClient.Reply r = http.post("/v1/keys", one.adminKey(), Map.of("user", TestEnvironment.unique("nodes"),
                "tier", "free", "concurrent_jobs", 50, "requests_per_minute", 100_000, "max_sandboxes", 6));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("key").asText();
    }
}
