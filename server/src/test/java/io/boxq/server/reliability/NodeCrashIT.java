package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.redis.Redis;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqProcess;
import io.boxq.server.TestEnvironment;
import io.boxq.server.observability.Scrape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.resps.StreamPendingSummary;

/**
 * Two executor nodes and an api, each its own process of the jar, on one Redis prefix. One executor
 * is killed with SIGKILL in the middle of ~30 jobs; every job must still reach a terminal state by
 * the rules of docs/architecture.md, "A job's way": not started → runs on the survivor; started → runs again only when its
 * max_attempts allows, else {@code error} "executor lost"; the jobs of a sandbox on the dead node
 * end {@code error}, and its sandboxes, a paused one too, end {@code lost}. Afterwards nothing is
 * left: no stream entry, run slot, sandbox place, or container of the dead node (the survivor's
 * orphan sweep removes them, thawing the frozen one first).
 *
 * <p>Which job is where at the kill is read after the kill (the dead node can change nothing any
 * more), so the expectations follow from that snapshot, not from timing. The long jobs must still
 * be running when the victim dies, so they sleep only on the victim: its containers have a nofile
 * limit of 1024 and the survivor's 2048, and the command looks at {@code ulimit -n}.
 */
class NodeCrashIT {
    private static final String ON_VICTIM_SLEEP = "[ \"$(ulimit -n)\" = 1024 ] && sleep 300; ";

    private static Map<String, String> env;
    private static String prefix;
    private static String admin;
    private static BoxqProcess api;
    private static BoxqProcess victim;
    private static BoxqProcess survivor;

    @BeforeAll
    static void setUp() {
        env = TestEnvironment.serverEnv("crash");
        env.putAll(Map.of("LEASE_TIMEOUT_SECONDS", "4", "RECLAIM_INTERVAL_SECONDS", "1", "NODE_TTL_SECONDS", "5",
                "HEARTBEAT_INTERVAL_SECONDS", "1", "CLEANUP_INTERVAL_SECONDS", "2", "MAX_POOL_SIZE", "12",
                "SHUTDOWN_GRACE_SECONDS", "10"));
        prefix = env.get("BOXQ_REDIS_PREFIX");
        admin = env.get("BOXQ_ADMIN_KEY");
    }

    @AfterAll
    static void cleanUp() {
        for (BoxqProcess p : new BoxqProcess[] {victim, survivor, api}) {
            if (p != null) {
                p.close();
                TestEnvironment.removeContainersOf(p.workerId);
            }
        }
        TestEnvironment.deleteRedisKeys(prefix);
    }

    /** One submitted job and what the test expects of its command's output. */
    record Submitted(String id, String kind, int maxAttempts, String stdout) {}

    @Test
    void every_job_reaches_a_terminal_state_when_an_executor_is_killed_mid_run() throws InterruptedException {
        api = BoxqProcess.launch("NodeCrashIT-api", env, "api", TestEnvironment.unique("it-crash-api"));
        victim = BoxqProcess.launch("NodeCrashIT-victim", withNofile("1024"), "executor",
                TestEnvironment.unique("it-crash-victim"));
        api.awaitUp();
        victim.awaitUp();
        BoxqClient http = api.client;
        awaitLiveNodes(http, List.of(victim.workerId));
        String key = newKey(http);
        String sandbox = http.post("/v1/sandboxes", key, "{}").json().path("id").asText();
        assertThat(sandboxNode(http, key, sandbox)).isEqualTo(victim.workerId);
        String paused = http.post("/v1/sandboxes", key, "{}").json().path("id").asText();
        assertThat(http.post("/v1/sandboxes/" + paused + "/pause", key, "{}").json().path("state").asText())
                .as("a paused sandbox on the node that dies").isEqualTo("paused");

        List<Submitted> jobs = new ArrayList<>(submitLongJobs(http, key, sandbox));
        awaitRunningOnVictim(http, key, jobs);
        Map<String, String> survivorEnv = withNofile("2048");
        survivorEnv.put("CLEANUP_INTERVAL_SECONDS", "3600");
        survivor = BoxqProcess.launch("NodeCrashIT-survivor", survivorEnv, "executor",
                TestEnvironment.unique("it-crash-survivor"));
        survivor.awaitUp();
        awaitLiveNodes(http, List.of(victim.workerId, survivor.workerId));
        for (int i = 0; i < 20; i++) {
            int attempts = i % 4 == 0 ? 2 : 1;
            jobs.add(submit(http, key, "short", "sleep 3; echo c" + i, attempts, null));
        }

        victim.kill();
        assertThat(TestEnvironment.containersOf(victim.workerId)).as("the dead node's containers").isNotEmpty();
        Map<String, JsonNode> atKill = snapshot(http, key, jobs);
        Map<String, JsonNode> ended = new LinkedHashMap<>();
        for (Submitted job : jobs) {
            ended.put(job.id(), http.awaitEnd(key, job.id()));
        }

        assertOutcomes(jobs, atKill, ended);
        assertJobsByState(http, ended);
        long errors = ended.values().stream().filter(j -> j.path("state").asText().equals("error")).count();
        assertThat(Scrape.of(survivor.client).value("boxq_jobs_finished_total", "state", "error"))
                .as("the jobs the survivor's reclaim ended count in its metrics").isEqualTo(errors);
        assertNothingLeft(http, key, sandbox, paused);
    }

    private static Map<String, String> withNofile(String limit) {
        Map<String, String> e = new HashMap<>(env);
        e.put("NOFILE_LIMIT", limit);
        return e;
    }

    private static String newKey(BoxqClient http) {
        BoxqClient.Reply r = http.post("/v1/keys", admin, Map.of("user", TestEnvironment.unique("crash"),
                "tier", "free", "concurrent_jobs", 50, "requests_per_minute", 100_000));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("key").asText();
    }

    /** On the victim: 4 started jobs with one attempt, 4 with two, and two jobs of its sandbox. */
    private static List<Submitted> submitLongJobs(BoxqClient http, String key, String sandbox) {
        List<Submitted> jobs = new ArrayList<>();
        jobs.add(submit(http, key, "sandbox", "echo s1; sleep 300", 1, sandbox));
        jobs.add(submit(http, key, "sandbox", "echo s2", 1, sandbox));
        for (int i = 0; i < 4; i++) {
            jobs.add(submit(http, key, "long", ON_VICTIM_SLEEP + "echo a" + i, 1, null));
            jobs.add(submit(http, key, "long", ON_VICTIM_SLEEP + "echo b" + i, 2, null));
        }
        return jobs;
    }

    private static Submitted submit(BoxqClient http, String key, String kind, String command, int attempts,
            String sandbox) {
        Map<String, Object> spec = new HashMap<>(Map.of("command", command, "max_attempts", attempts));
        if (sandbox != null) {
            spec.put("sandbox_id", sandbox);
        }
        String id = http.submit(key, spec).path("id").asText();
        String last = command.substring(command.lastIndexOf("echo ") + 5).split(";")[0].trim();
        return new Submitted(id, kind, attempts, last + "\n");
    }

    private static void awaitRunningOnVictim(BoxqClient http, String key, List<Submitted> jobs) {
        List<Submitted> mustRun = jobs.stream().filter(j -> !j.stdout().equals("s2\n")).toList();
        await("the long jobs run on the victim").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> mustRun.stream().allMatch(j -> {
                    JsonNode v = http.get("/v1/jobs/" + j.id(), key).json();
                    return v.path("state").asText().equals("running") && v.path("node").asText().equals(victim.workerId);
                }));
    }

    private static Map<String, JsonNode> snapshot(BoxqClient http, String key, List<Submitted> jobs) {
        Map<String, JsonNode> views = new LinkedHashMap<>();
        for (Submitted j : jobs) {
            BoxqClient.Reply r = http.get("/v1/jobs/" + j.id(), key);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            views.put(j.id(), r.json());
        }
        return views;
    }

    /**
     * The long jobs were running on the victim when it died (they sleep only there). A short job's
     * end tells its story: succeeded on the survivor (at most max_attempts runs), succeeded on the
     * victim before the kill (one run), or lost with the victim (one attempt allowed). A job still
     * queued after the kill can only have run on the survivor.
     */
    private static void assertOutcomes(List<Submitted> jobs, Map<String, JsonNode> atKill, Map<String, JsonNode> ended) {
        int movedOver = 0;
        for (Submitted job : jobs) {
            JsonNode before = atKill.get(job.id());
            JsonNode after = ended.get(job.id());
            String what = job + " was " + before.path("state").asText() + " on " + before.path("node").asText()
                    + " after the kill; ended " + after;
            switch (job.kind()) {
                case "sandbox" -> assertLost(after, what);
                case "long" -> {
                    if (job.maxAttempts() == 1) {
                        assertLost(after, what);
                        assertThat(after.path("node").asText()).as(what).isEqualTo(victim.workerId);
                    } else {
                        assertSucceeded(job, after, survivor.workerId, 2, what);
                    }
                }
                default -> {
                    if (before.path("state").asText().equals("queued")) {
                        movedOver++;
                        assertThat(after.path("node").asText()).as(what).isEqualTo(survivor.workerId);
                    }
                    assertShortJob(job, after, what);
                }
            }
        }
        assertThat(movedOver).as("short jobs not yet started at the kill (20 jobs, 13 slots)").isPositive();
    }

    private static void assertShortJob(Submitted job, JsonNode after, String what) {
        String node = after.path("node").asText();
        if (after.path("state").asText().equals("error")) {
            assertLost(after, what);
            assertThat(node).as(what).isEqualTo(victim.workerId);
            assertThat(job.maxAttempts()).as("only a job with one attempt is lost: " + what).isEqualTo(1);
            return;
        }
        assertThat(after.path("state").asText()).as(what).isEqualTo("succeeded");
        assertThat(after.path("stdout").asText()).as(what).isEqualTo(job.stdout());
        assertThat(after.path("attempt").asInt()).as(what).isBetween(1, job.maxAttempts());
        assertThat(node).as(what).isIn(victim.workerId, survivor.workerId);
        if (node.equals(victim.workerId)) {
            assertThat(after.path("attempt").asInt()).as("ended on the victim before the kill: " + what).isEqualTo(1);
        }
    }

    /**
     * The counts of {@code GET /v1/system/stats} did not drift through the reclaims: nothing queued or
     * running any more, and each terminal state counted exactly the jobs that ended in it.
     */
    private static void assertJobsByState(BoxqClient http, Map<String, JsonNode> ended) {
        Map<String, Long> expected = new LinkedHashMap<>(Map.of("queued", 0L, "running", 0L, "succeeded", 0L,
                "failed", 0L, "timed_out", 0L, "cancelled", 0L, "error", 0L));
        ended.values().forEach(job -> expected.merge(job.path("state").asText(), 1L, Long::sum));
        BoxqClient.Reply r = http.get("/v1/system/stats", admin);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, Long> counted = new LinkedHashMap<>();
        r.json().path("jobs_by_state").properties().forEach(e -> counted.put(e.getKey(), e.getValue().asLong()));
        assertThat(counted).as("jobs_by_state").containsExactlyInAnyOrderEntriesOf(expected);
    }

    private static void assertLost(JsonNode job, String what) {
        assertThat(job.path("state").asText()).as(what).isEqualTo("error");
        assertThat(job.path("error").asText()).as(what).contains("executor lost");
        assertThat(job.path("attempt").asInt()).as(what).isLessThanOrEqualTo(1);
    }

    private static void assertSucceeded(Submitted job, JsonNode after, String node, int attempt, String what) {
        assertThat(after.path("state").asText()).as(what).isEqualTo("succeeded");
        assertThat(after.path("stdout").asText()).as(what).isEqualTo(job.stdout());
        assertThat(after.path("node").asText()).as(what).isEqualTo(node);
        assertThat(after.path("attempt").asInt()).as(what).isEqualTo(attempt);
    }

    /**
     * A job sent to the dead node's sandbox before the sandbox is given up still ends (it is not
     * queued forever in a stream nobody reads); once it is given up such a job is refused. Then no
     * stream entry, run slot, sandbox place, dead-node record or container of the dead node is left.
     * The survivor's periodic sweep is off (CLEANUP_INTERVAL_SECONDS=3600): the test asks for it
     * with {@code POST /v1/system/cleanup} when it wants it.
     */
    private static void assertNothingLeft(BoxqClient http, String key, String sandbox, String paused)
            throws InterruptedException {
        try (Redis redis = new Redis(TestEnvironment.redisUrl(), prefix, 2)) {
            await("the dead node's stream is settled").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> redis.call(j -> j.xlen(redis.keys().nodeStream(victim.workerId))) == 0);
            assertLateSandboxJobEnds(http, key, sandbox);
            await("the survivor's sweep gives the dead node's sandbox up").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> cleanup(http) >= 0
                            && http.get("/v1/sandboxes/" + sandbox, key).json().path("state").asText().equals("lost"));
            assertThat(http.get("/v1/sandboxes/" + sandbox, key).json().path("end_reason").asText())
                    .contains("its node", "stopped answering");
            assertThat(http.get("/v1/sandboxes/" + paused, key).json().path("state").asText())
                    .as("the paused sandbox ends lost like any other").isEqualTo("lost");
            BoxqClient.Reply late = http.post("/v1/jobs", key, Map.of("command", "echo late", "sandbox_id", sandbox));
            assertThat(late.status()).as("a job for a sandbox given up is refused: " + late.body()).isEqualTo(410);
            await("the dead node is forgotten").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !redis.call(j -> j.smembers(redis.keys().nodes())).contains(victim.workerId));
            StreamPendingSummary pending = redis.call(j -> j.xpending(redis.keys().jobsStream(), "executors"));
            long entries = redis.call(j -> j.xlen(redis.keys().jobsStream()));
            boolean deadStream = redis.call(j -> j.exists(redis.keys().nodeStream(victim.workerId)));
            assertThat(pending.getTotal()).as("entries still pending in the jobs stream").isZero();
            assertThat(entries).as("entries left in the jobs stream").isZero();
            assertThat(deadStream).as("the dead node's stream is removed once it is forgotten").isFalse();
            assertThat(redis.call(j -> j.xinfoConsumers2(redis.keys().jobsStream(), "executors")).stream()
                    .map(c -> c.getName())).as("consumers of the jobs stream's group")
                    .doesNotContain(victim.workerId).contains(survivor.workerId);
        }
        JsonNode usage = http.get("/v1/quota/usage", key).json().path("usage");
        assertThat(usage.path("running_jobs").asInt()).as("run slots held").isZero();
        assertThat(usage.path("backlog_jobs").asInt()).isZero();
        assertThat(usage.path("sandboxes").asInt()).as("sandbox places held").isZero();
        await("the survivor's orphan sweep removes the dead node's containers (older than 60 s)")
                .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                .until(() -> cleanup(http) >= 0 && TestEnvironment.containersOf(victim.workerId).isEmpty());
        assertThat(survivor.stop(Duration.ofSeconds(60))).as("the survivor stops on SIGTERM").isTrue();
        assertThat(TestEnvironment.containersOf(survivor.workerId)).as("containers left by the survivor").isEmpty();
        assertThat(api.stop(Duration.ofSeconds(30))).isTrue();
    }

    /** Accepted while the dead node's sandbox is still on record: must end, with the reason. */
    private static void assertLateSandboxJobEnds(BoxqClient http, String key, String sandbox) {
        BoxqClient.Reply late = http.post("/v1/jobs", key, Map.of("command", "echo late", "sandbox_id", sandbox));
        if (late.status() != 202) {
            assertThat(late.status()).as("refused instead: " + late.body()).isIn(409, 410);
            return;
        }
        JsonNode ended = http.awaitEnd(key, late.json().path("id").asText());
        assertThat(ended.path("state").asText()).as(ended.toString()).isEqualTo("error");
        assertThat(ended.path("error").asText()).contains("executor lost");
    }

    /** Asks every live node to sweep now; returns how many answered. */
    private static int cleanup(BoxqClient http) {
        BoxqClient.Reply r = http.post("/v1/system/cleanup", admin, "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("nodes_answered").asInt();
    }

    private static String sandboxNode(BoxqClient http, String key, String sandbox) {
        return http.get("/v1/sandboxes/" + sandbox, key).json().path("node").asText();
    }

    private static void awaitLiveNodes(BoxqClient http, List<String> nodes) {
        await("the api sees " + nodes).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    List<String> ids = new ArrayList<>();
                    http.get("/health", null).json().path("nodes").forEach(n -> ids.add(n.path("worker_id").asText()));
                    return ids.containsAll(nodes);
                });
    }
}
