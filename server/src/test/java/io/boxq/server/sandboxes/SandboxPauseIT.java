package io.boxq.server.sandboxes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pause and resume over real HTTP, on the real engine: a paused sandbox's processes stop (no line
 * written, no CPU, the same memory) and go on after resume; a job or file call resumes it; its idle
 * clock stops while its lifetime runs; a pause never freezes a running job; and every end thaws it.
 * The test drives the node's maintenance itself ({@code shrinkIdle}) instead of waiting for Quartz.
 */
class SandboxPauseIT {
    /** Writes a nanosecond timestamp every 0.1 s, in the background, outliving the job that starts it. */
    private static final String WRITER = "setsid sh -c 'while :; do date +%s%N >> /workspace/t; sleep 0.1; done' "
            + "</dev/null >/dev/null 2>&1 &";
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("pause", Map.of("TIER_FREE_MAX_SANDBOXES", "5"));
    private static BoxqTestServer server;
    private static BoxqClient client;
    private static String key;

    @BeforeAll
    static void start() {
        key = client.createKey(server.adminKey(), "pauser", "free").path("key").asText();
    }

    @Test
    void a_paused_sandbox_stops_writing_uses_no_cpu_keeps_its_memory_and_goes_on_after_resume() {
        String id = create(Map.of("ttl_s", 600, "image", TestEnvironment.BOOKWORM)); // busybox's date has no %N
        String container = containerOf(id);
        assertThat(run(id, WRITER).path("state").asText()).isEqualTo("succeeded");
        await("the writer writes").atMost(Duration.ofSeconds(10)).until(() -> lines(id).size() > 3);

        JsonNode paused = ok(client.post("/v1/sandboxes/" + id + "/pause", key, Map.of()));
        Instant frozenFrom = Instant.now();
        assertThat(paused.path("state").asText()).isEqualTo("paused");
        assertThat(paused.path("paused_at").asText()).isNotEmpty();
        assertThat(TestEnvironment.inspect(container).getState().getPaused()).isTrue();
        assertThat(ok(client.post("/v1/sandboxes/" + id + "/pause", key, Map.of())).path("paused_at").asText())
                .as("pausing twice changes nothing").isEqualTo(paused.path("paused_at").asText());
        assertThat(client.get("/health", null).json().path("paused_sessions").asInt()).isEqualTo(1);

        // A cgroup's memory figures lag its charges by up to 64 pages a CPU until the kernel's
        // periodic flush (every 2 s): read them once that flush has run since the pause (a first
        // reading taken at once differed from a later one by 63 pages).
        await("the kernel flushed its memory figures since the pause").pollDelay(Duration.ofMillis(2500))
                .atMost(Duration.ofSeconds(10))
                .until(() -> Duration.between(frozenFrom, Instant.now()).toMillis() >= 2500);
        JsonNode first = ok(client.get("/v1/sandboxes/" + id + "/stats", key)).path("now");
        await("3 s pass while it is paused").pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> Duration.between(frozenFrom, Instant.now()).toMillis() >= 5500);
        JsonNode second = ok(client.get("/v1/sandboxes/" + id + "/stats", key)).path("now");
        assertThat(second.path("cpu_percent").asDouble()).as(second.toString()).isZero();
        // Held, not released. The kernel may still reclaim a clean page of a frozen cgroup's file
        // cache under the host's memory pressure (a CI run saw one 4 KiB page go): 16 pages of
        // slack, where a release would take the processes' whole memory.
        long held = first.path("memory_bytes").asLong();
        assertThat(second.path("memory_bytes").asLong()).isPositive().isBetween(held - (64 << 10), held);
        assertThat(ok(client.get("/v1/sandboxes/" + id, key)).path("state").asText())
                .as("reading its figures does not resume it").isEqualTo("paused");
        Instant frozenUntil = Instant.now();

        JsonNode resumed = ok(client.post("/v1/sandboxes/" + id + "/resume", key, Map.of()));
        assertThat(resumed.path("state").asText()).isEqualTo("ready");
        assertThat(resumed.has("paused_at")).isFalse();
        assertThat(TestEnvironment.inspect(container).getState().getPaused()).isFalse();
        assertThat(ok(client.post("/v1/sandboxes/" + id + "/resume", key, Map.of())).path("state").asText())
                .as("resuming a running sandbox changes nothing").isEqualTo("ready");

        await("it writes again").atMost(Duration.ofSeconds(10))
                .until(() -> lines(id).stream().anyMatch(t -> t > nanos(frozenUntil)));
        List<Long> written = lines(id);
        assertThat(written).as("no line written while paused")
                .noneMatch(t -> t > nanos(frozenFrom) && t < nanos(frozenUntil));
        assertThat(client.delete("/v1/sandboxes/" + id, key).status()).isEqualTo(204);
    }

    @Test
    void a_job_or_file_call_sent_to_a_paused_sandbox_resumes_it_first_and_says_so() {
        String id = create(Map.of("ttl_s", 600));
        pause(id);
        BoxqClient.Reply submitted = client.post("/v1/jobs", key, Map.of("command", "echo hi", "sandbox_id", id));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        assertThat(submitted.json().path("resumed").asBoolean()).isTrue();
        JsonNode job = client.awaitEnd(key, submitted.json().path("id").asText());
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
        assertThat(job.path("stdout").asText()).isEqualTo("hi\n");
        assertThat(job.path("resumed").asBoolean()).as("stored with the job: a later read says so too").isTrue();
        assertThat(ok(client.get("/v1/sandboxes/" + id, key)).path("state").asText()).isEqualTo("ready");
        JsonNode next = client.awaitEnd(key, client.post("/v1/jobs", key, Map.of("command", "true", "sandbox_id", id))
                .json().path("id").asText());
        assertThat(next.has("resumed")).as("a job sent to a running sandbox resumes nothing").isFalse();

        pause(id);
        BoxqClient.Reply written = client.send(client.request("/v1/sandboxes/" + id + "/files?path=a.txt", key)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("abc")));
        assertThat(written.status()).as(written.body()).isEqualTo(201);
        assertThat(written.json().path("resumed").asBoolean()).isTrue();
        assertThat(ok(client.get("/v1/sandboxes/" + id, key)).path("state").asText()).isEqualTo("ready");
        assertThat(client.delete("/v1/sandboxes/" + id, key).status()).isEqualTo(204);
    }

    @Test
    void a_pause_never_freezes_a_running_job_it_answers_409_sandbox_busy_and_is_called_off() {
        String id = create(Map.of("ttl_s", 600));
        String container = containerOf(id);
        String jobId = client.submit(key, Map.of("command", "sleep 600", "sandbox_id", id, "timeout_s", 900))
                .path("id").asText();
        await("the job runs").atMost(Duration.ofSeconds(20))
                .until(() -> client.get("/v1/jobs/" + jobId, key).json().path("state").asText().equals("running"));

        BoxqClient.Reply busy = client.post("/v1/sandboxes/" + id + "/pause", key, Map.of());
        assertThat(busy.status()).as(busy.body()).isEqualTo(409);
        assertThat(busy.json().path("type").asText()).endsWith("sandbox-busy");
        assertThat(client.get("/v1/jobs/" + jobId, key).json().path("state").asText()).isEqualTo("running");
        assertThat(TestEnvironment.inspect(container).getState().getPaused()).as("the job was not frozen").isFalse();

        assertThat(client.post("/v1/jobs/" + jobId + "/cancel", key, Map.of()).status()).isLessThan(300);
        JsonNode next = run(id, "echo after");
        assertThat(next.path("state").asText()).as(next.toString()).isEqualTo("succeeded");
        assertThat(ok(client.get("/v1/sandboxes/" + id, key)).path("state").asText())
                .as("the pause that came too late was called off").isEqualTo("ready");
        assertThat(client.delete("/v1/sandboxes/" + id, key).status()).isEqualTo(204);
    }

    @Test
    void a_paused_sandbox_outlives_its_idle_timeout_not_its_lifetime_and_expires_thawed_and_removed()
            throws InterruptedException {
        String id = create(Map.of("ttl_s", 15, "idle_timeout_s", 1));
        String container = containerOf(id);
        Instant since = Instant.now();
        pause(id);
        Instant idleFrom = Instant.parse(ok(client.get("/v1/sandboxes/" + id, key)).path("last_activity_at").asText());
        await("past its idle timeout").atMost(Duration.ofSeconds(10))
                .until(() -> Instant.now().isAfter(idleFrom.plusSeconds(2)));
        server.node().shrinkIdle();
        assertThat(ok(client.get("/v1/sandboxes/" + id, key)).path("state").asText())
                .as("paused, so not idle").isEqualTo("paused");

        JsonNode ended = await("past its lifetime it expires").atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    server.node().shrinkIdle();
                    return ok(client.get("/v1/sandboxes/" + id, key));
                }, s -> s.path("state").asText().equals("expired"));
        assertThat(ended.path("end_reason").asText()).isEqualTo("lifetime ended");
        await("its container is removed").atMost(Duration.ofSeconds(20))
                .until(() -> TestEnvironment.containersOf(server.workerId()).stream()
                        .noneMatch(c -> c.getId().equals(container)));
        assertThat(engineActions(container, since)).as("thawed before it was removed")
                .containsSubsequence("pause", "unpause", "destroy");
        JsonNode today = ok(client.get("/v1/quota/usage", key)).path("history");
        assertThat(today.get(today.size() - 1).path("paused_seconds").asDouble()).isPositive();
    }

    @Test
    void a_paused_sandbox_deleted_ends_deleted_thawed_and_removed_and_a_stopping_node_thaws_its_paused_ones()
            throws InterruptedException {
        String deleted = create(Map.of("ttl_s", 600));
        String deletedContainer = containerOf(deleted);
        Instant since = Instant.now();
        pause(deleted);
        assertThat(client.delete("/v1/sandboxes/" + deleted, key).status()).isEqualTo(204);
        assertThat(ok(client.get("/v1/sandboxes/" + deleted, key)).path("state").asText()).isEqualTo("deleted");
        await("its container is removed").atMost(Duration.ofSeconds(20))
                .until(() -> engineActions(deletedContainer, since).contains("destroy"));
        assertThat(engineActions(deletedContainer, since)).containsSubsequence("pause", "unpause", "destroy");

        BoxqTestServer other = BoxqTestServer.start("pause-stop", Map.of());
        String otherKey = other.client.createKey(other.adminKey(), "stopper", "free").path("key").asText();
        BoxqClient.Reply made = other.client.post("/v1/sandboxes", otherKey, Map.of("ttl_s", 600));
        String host = other.client.run(otherKey, Map.of("command", "hostname", "sandbox_id", made.json().path("id").asText()))
                .path("stdout").asText().trim();
        String frozen = TestEnvironment.containersOf(other.workerId()).stream().map(c -> c.getId())
                .filter(c -> c.startsWith(host)).findFirst().orElseThrow();
        assertThat(other.client.post("/v1/sandboxes/" + made.json().path("id").asText() + "/pause", otherKey, Map.of())
                .json().path("state").asText()).isEqualTo("paused");
        other.stopAndAssertClean();
        assertThat(engineActions(frozen, since)).as("the stopping node thawed it, then removed it")
                .containsSubsequence("pause", "unpause", "destroy");
    }

    @Test
    void a_pause_and_a_delete_racing_leave_one_end_deleted_with_the_container_gone() throws Exception {
        String id = create(Map.of("ttl_s", 600));
        String container = containerOf(id);
        var pausing = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> client.post("/v1/sandboxes/" + id + "/pause", key, Map.of()));
        var deleting = java.util.concurrent.CompletableFuture.supplyAsync(() -> client.delete("/v1/sandboxes/" + id, key));
        assertThat(deleting.get().status()).as(deleting.get().body()).isEqualTo(204);
        assertThat(pausing.get().status()).as(pausing.get().body()).isIn(200, 409, 410);
        assertThat(ok(client.get("/v1/sandboxes/" + id, key)).path("state").asText()).isEqualTo("deleted");
        await("its container is removed, frozen or not").atMost(Duration.ofSeconds(20))
                .until(() -> TestEnvironment.containersOf(server.workerId()).stream()
                        .noneMatch(c -> c.getId().equals(container)));
    }

    /** What the engine did to a container since {@code since}, in order (pause, unpause, kill, destroy, …). */
    private static List<String> engineActions(String containerId, Instant since) throws InterruptedException {
        List<String> actions = new java.util.concurrent.CopyOnWriteArrayList<>();
        TestEnvironment.docker().eventsCmd().withContainerFilter(containerId)
                .withSince(Long.toString(since.getEpochSecond() - 1))
                .withUntil(Long.toString(Instant.now().getEpochSecond() + 1))
                .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Event>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Event e) {
                        actions.add(e.getAction());
                    }
                }).awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS);
        return actions;
    }

    private static String create(Map<String, ?> body) {
        BoxqClient.Reply r = client.post("/v1/sandboxes", key, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    private static void pause(String id) {
        assertThat(ok(client.post("/v1/sandboxes/" + id + "/pause", key, Map.of())).path("state").asText())
                .isEqualTo("paused");
    }

    private static JsonNode run(String sandboxId, String command) {
        return client.run(key, Map.of("command", command, "sandbox_id", sandboxId));
    }

    /** The sandbox's container: its hostname is the first 12 characters of the id. */
    private static String containerOf(String sandboxId) {
        String host = run(sandboxId, "hostname").path("stdout").asText().trim();
        return TestEnvironment.containersOf(server.workerId()).stream().map(c -> c.getId())
                .filter(c -> c.startsWith(host)).findFirst().orElseThrow();
    }

    private static List<Long> lines(String sandboxId) {
        String text = run(sandboxId, "cat /workspace/t").path("stdout").asText();
        return Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).map(Long::parseLong).toList();
    }

    private static long nanos(Instant at) {
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    private static JsonNode ok(BoxqClient.Reply r) {
        assertThat(r.status()).as(r.body()).isBetween(200, 299);
        return r.json();
    }
}
