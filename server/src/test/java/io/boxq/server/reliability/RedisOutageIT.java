package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XClaimParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Redis stopped and started again under a running boxq (its own redis-server with AOF, so the
 * shared one is never touched). While it is away every route answers 503 problem+json with
 * Retry-After, quickly; /health says so. Jobs accepted before the outage (ended, running through
 * it, or waiting in the backlog) all end with their results once it is back, each run once.
 */
class RedisOutageIT {
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "timed_out", "cancelled", "error");
    /** Far below the client's own timeouts: a request must not hang while Redis is away. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);

    private static PrivateRedis redis;
    private static BoxqTestServer server;
    private static BoxqClient http;

    @BeforeAll
    static void start() {
        redis = new PrivateRedis().start();
        server = BoxqTestServer.start("outage", Map.of("REDIS_URL", redis.url()));
        http = server.client;
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                assertThat(server.stop()).as("containers left after the node closed").isEmpty();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Test
    void the_api_answers_503_while_redis_is_away_and_no_accepted_job_is_lost() {
        String key = newKey(3);
        Map<String, String> expected = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            String id = submit(key, "echo d" + i);
            expected.put(id, "d" + i + "\n");
            assertThat(http.awaitEnd(key, id).path("state").asText()).isEqualTo("succeeded");
        }
        List<String> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = submit(key, "sleep 4; echo r" + i);
            running.add(id);
            expected.put(id, "r" + i + "\n");
        }
        for (int i = 0; i < 5; i++) {
            expected.put(submit(key, "echo q" + i), "q" + i + "\n");
        }
        awaitAll(key, running, "running");

        redis.stop();
        String someJob = running.get(0);
        assertUnavailable(post("/v1/jobs", key, Json.write(Map.of("command", "echo during"))));
        assertUnavailable(get("/v1/jobs/" + someJob, key));
        assertUnavailable(get("/v1/jobs/" + someJob + "?wait=5", key));
        assertUnavailable(get("/v1/jobs", key));
        assertUnavailable(post("/v1/jobs/" + someJob + "/cancel", key, ""));
        assertUnavailable(post("/v1/sandboxes", key, "{}"));
        assertUnavailable(get("/v1/quota/usage", key));
        assertUnavailable(post("/v1/keys", server.adminKey(), Json.write(Map.of("user", "u", "tier", "free"))));
        assertUnavailable(get("/v1/system/stats", server.adminKey()));
        HttpResponse<String> health = get("/health", null);
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(json(health).path("redis").asText()).isEqualTo("down");
        await("the running commands end while Redis is away").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250)).until(() -> ContainerProcesses.count(server.workerId(), "sleep 4") == 0);
        redis.start();
        await("the api serves again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/v1/quota/usage", key).statusCode() == 200);

        for (Map.Entry<String, String> job : expected.entrySet()) {
            JsonNode ended = awaitEnd(key, job.getKey());
            assertThat(ended.path("state").asText()).as(ended.toString()).isEqualTo("succeeded");
            assertThat(ended.path("stdout").asText()).as(ended.toString()).isEqualTo(job.getValue());
            assertThat(ended.path("attempt").asInt()).as("run once: " + ended).isEqualTo(1);
        }
        assertThat(json(get("/health", null)).path("redis").asText()).isEqualTo("up");
        assertThat(http.run(key, "echo after").path("stdout").asText()).isEqualTo("after\n");
        assertThat(json(get("/v1/quota/usage", key)).path("usage").path("running_jobs").asInt()).isZero();
    }

    /**
     * While Redis is away no lease can be renewed, so afterwards a running job's entry looks stalled.
     * The node that still runs it must not take it over from itself: no "executor lost", no second run.
     */
    @Test
    void a_lease_that_ran_out_while_redis_was_away_is_not_taken_from_a_live_node() {
        String key = newKey(2);
        String id = http.submit(key, Map.of("command", "sleep 3; echo kept", "max_attempts", 2)).path("id").asText();
        awaitAll(key, List.of(id), "running");

        markUnrenewedFor(id, Duration.ofMinutes(10));
        server.node().reclaimStalledJobs();

        JsonNode ended = http.awaitEnd(key, id);
        assertThat(ended.path("state").asText()).as(ended.toString()).isEqualTo("succeeded");
        assertThat(ended.path("stdout").asText()).isEqualTo("kept\n");
        assertThat(ended.path("attempt").asInt()).as("run once").isEqualTo(1);
    }

    /**
     * A node's streams deleted under it while it blocks reading them (as when another node took it
     * for dead during a slow start and forgot it): it makes them and their group again and reads on.
     */
    @Test
    void a_node_whose_streams_are_deleted_under_it_makes_them_again() {
        String key = newKey(2);
        assertThat(http.run(key, "echo before").path("state").asText()).isEqualTo("succeeded");

        try (Jedis j = new Jedis(java.net.URI.create(redis.url()))) {
            assertThat(j.del(server.prefix() + "jobs", server.prefix() + "node:" + server.workerId() + ":jobs"))
                    .isEqualTo(2);
        }

        JsonNode after = http.run(key, "echo after");
        assertThat(after.path("state").asText()).as(after.toString()).isEqualTo("succeeded");
        assertThat(after.path("stdout").asText()).isEqualTo("after\n");
    }

    private static String newKey(int slots) {
        BoxqClient.Reply r = http.post("/v1/keys", server.adminKey(), Map.of("user", TestEnvironment.unique("outage"),
                "tier", "free", "concurrent_jobs", slots, "requests_per_minute", 100_000));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("key").asText();
    }

    private static String submit(String key, String command) {
        return http.submit(key, Map.of("command", command)).path("id").asText();
    }

    private static void assertUnavailable(HttpResponse<String> r) {
        String what = r.request().method() + " " + r.uri() + " -> " + r.statusCode() + " " + r.body();
        assertThat(r.statusCode()).as(what).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).as(what).hasValue("application/problem+json");
        assertThat(r.headers().firstValue("Retry-After")).as(what).isPresent();
        assertThat(json(r).path("detail").asText()).as(what).isNotBlank();
    }

    private static HttpResponse<String> get(String path, String key) {
        return http.exchange(http.request(path, key).timeout(ANSWER_WITHIN).GET());
    }

    private static HttpResponse<String> post(String path, String key, String body) {
        return http.exchange(http.request(path, key).timeout(ANSWER_WITHIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static JsonNode json(HttpResponse<String> r) {
        return new BoxqClient.Reply(r.statusCode(), "", r.body()).json();
    }

    /** Long-polls a job to its end; a 503 while the api's connections to Redis recover counts as "not yet". */
    private static JsonNode awaitEnd(String key, String id) {
        return await(id + " ends").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/v1/jobs/" + id + "?wait=10", key),
                        r -> r.statusCode() == 200 && TERMINAL.contains(json(r).path("state").asText()))
                .body().transform(body -> new BoxqClient.Reply(200, "", body).json());
    }

    private static void awaitAll(String key, List<String> ids, String state) {
        await("jobs " + state).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> ids.stream().allMatch(id ->
                        http.get("/v1/jobs/" + id, key).json().path("state").asText().equals(state)));
    }

    /** Sets the idle time of the job's stream entry as if nobody had renewed it for {@code idle}. */
    private static void markUnrenewedFor(String jobId, Duration idle) {
        String stream = server.prefix() + "jobs";
        try (Jedis j = new Jedis(java.net.URI.create(redis.url()))) {
            StreamEntry entry = j.xrange(stream, "-", "+").stream()
                    .filter(e -> jobId.equals(e.getFields().get("job"))).findFirst().orElseThrow();
            j.xclaimJustId(stream, "executors", server.workerId(), 0, XClaimParams.xClaimParams().idle(idle.toMillis()),
                    new StreamEntryID[] {entry.getID()});
        }
    }
}
