package io.boxq.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import io.boxq.server.events.EventStreamClient.Event;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /v1/jobs/{id}/events} over real HTTP against a real node: output arrives while the
 * command runs, a late client (mid-run, after the end, or resuming with Last-Event-ID) gets every
 * byte exactly once, and another key's job is 404.
 */
class JobEventsIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("events", Map.of());
    private static BoxqClient client;
    private static String keyA;

    @BeforeAll
    static void aKey() {
        keyA = boxq.server().newKey("free");
    }

    private static String submit(String command) {
        return client.submit(keyA, Map.of("command", command)).path("id").asText();
    }

    /** The bytes of a stream as GET /v1/jobs/{id} shows them (text, or base64 when not UTF-8). */
    private static byte[] bytes(JsonNode job, String stream) {
        String text = job.path(stream).asText();
        return job.path(stream + "_encoding").asText().equals("base64") ? Base64.getDecoder().decode(text)
                : text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void the_first_line_arrives_before_the_job_ends_then_the_result_closes_the_stream() throws Exception {
        String id = submit("echo first; sleep 2; echo second; echo done >&2");
        try (EventStreamClient events = EventStreamClient.open(client, keyA, id, null)) {
            assertThat(events.status).isEqualTo(200);
            assertThat(events.contentType).startsWith("text/event-stream");

            await().atMost(Duration.ofSeconds(20)).until(() -> !events.named("stdout").isEmpty());
            Event first = events.named("stdout").getFirst();
            assertThat(first.bytes()).isEqualTo("first\n".getBytes());
            assertThat(first.json().path("offset").asLong()).isZero();
            assertThat(events.named("result")).as("result before the command ended").isEmpty();
            assertThat(client.get("/v1/jobs/" + id, keyA).json().path("state").asText()).isEqualTo("running");

            events.awaitEnd(Duration.ofSeconds(30));
            assertThat(events.ended()).as("the server closed the stream").isTrue();
            Event result = events.events.getLast();
            assertThat(result.name()).isEqualTo("result");
            assertThat(events.named("result")).hasSize(1);
            assertThat(result.atNanos() - first.atNanos()).as("ns from the first line to the result")
                    .isGreaterThan(Duration.ofMillis(1500).toNanos());
            JsonNode job = client.get("/v1/jobs/" + id, keyA).json();
            assertThat(result.json()).isEqualTo(job);
            assertThat(job.path("state").asText()).isEqualTo("succeeded");
            assertThat(events.joined("stdout")).isEqualTo("first\nsecond\n".getBytes());
            assertThat(events.joined("stderr")).isEqualTo("done\n".getBytes());
        }
    }

    @Test
    void clients_that_join_mid_run_or_after_the_end_get_every_byte_once() throws Exception {
        String id = submit("i=0; while [ $i -lt 8 ]; do echo line$i; printf 'e\\377' >&2; "
                + "head -c 20000 /dev/urandom; sleep 0.3; i=$((i+1)); done");
        try (EventStreamClient early = EventStreamClient.open(client, keyA, id, null)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !early.named("stdout").isEmpty());
            try (EventStreamClient midRun = EventStreamClient.open(client, keyA, id, null)) {
                assertThat(midRun.status).isEqualTo(200);
                JsonNode job = client.awaitEnd(keyA, id);
                early.awaitEnd(Duration.ofSeconds(30));
                midRun.awaitEnd(Duration.ofSeconds(30));

                try (EventStreamClient late = EventStreamClient.open(client, keyA, id, null)) {
                    late.awaitEnd(Duration.ofSeconds(30));
                    for (EventStreamClient c : List.of(early, midRun, late)) {
                        assertThat(c.ended()).isTrue();
                        assertThat(c.joined("stdout")).hasSize(8 * 6 + 8 * 20000).isEqualTo(bytes(job, "stdout"));
                        assertThat(c.joined("stderr")).isEqualTo(bytes(job, "stderr"));
                        assertThat(c.named("result")).singleElement().extracting(Event::json).isEqualTo(job);
                    }
                    long live = early.named("result").getFirst().atNanos() - early.named("stdout").getFirst().atNanos();
                    assertThat(Duration.ofNanos(live)).as("from the first chunk to the result")
                            .isGreaterThan(Duration.ofSeconds(1));
                }
            }
        }
    }

    @Test
    void a_client_that_resumes_with_last_event_id_gets_the_rest_and_nothing_twice() throws Exception {
        String id = submit("for i in 1 2 3 4 5; do echo part$i; sleep 0.3; done");
        JsonNode job = client.awaitEnd(keyA, id);
        byte[] all;
        String firstId;
        byte[] firstBytes;
        try (EventStreamClient whole = EventStreamClient.open(client, keyA, id, null)) {
            whole.awaitEnd(Duration.ofSeconds(30));
            all = whole.joined("stdout");
            Event first = whole.named("stdout").getFirst();
            firstId = first.id();
            firstBytes = first.bytes();
        }
        assertThat(all).isEqualTo(bytes(job, "stdout"));
        assertThat(firstBytes.length).as("the first event is not all of it").isLessThan(all.length);

        try (EventStreamClient resumed = EventStreamClient.open(client, keyA, id, firstId)) {
            resumed.awaitEnd(Duration.ofSeconds(30));
            byte[] rest = resumed.joinedFrom("stdout", firstBytes.length);
            assertThat(concat(firstBytes, rest)).isEqualTo(all);
            assertThat(resumed.named("result")).hasSize(1);
        }
    }

    @Test
    void a_short_job_that_nobody_watches_writes_no_live_output_and_a_late_client_gets_it_from_the_result()
            throws Exception {
        String id = submit("echo hi; echo there >&2");
        JsonNode job = client.awaitEnd(keyA, id);

        assertThat(TestEnvironment.redisKeys(boxq.server().prefix())).as("keys of the fast path")
                .noneMatch(k -> k.endsWith("out:" + id));
        try (EventStreamClient events = EventStreamClient.open(client, keyA, id, null)) {
            events.awaitEnd(Duration.ofSeconds(30));
            assertThat(events.joined("stdout")).isEqualTo("hi\n".getBytes()).isEqualTo(bytes(job, "stdout"));
            assertThat(events.joined("stderr")).isEqualTo("there\n".getBytes());
            assertThat(events.named("stdout").getFirst().id()).isEqualTo("3.0");
            assertThat(events.events.getLast().name()).isEqualTo("result");
        }
    }

    @Test
    void a_queued_jobs_stream_stays_open_until_it_has_run() throws Exception {
        Reply created = client.post("/v1/keys", boxq.server().adminKey(),
                Map.of("user", "carol", "tier", "free", "concurrent_jobs", 1));
        String keyC = created.json().path("key").asText();
        String blocker = client.submit(keyC, Map.of("command", "sleep 2")).path("id").asText();
        String id = client.submit(keyC, Map.of("command", "echo waited")).path("id").asText();

        try (EventStreamClient events = EventStreamClient.open(client, keyC, id, null)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !events.comments.isEmpty());
            assertThat(events.comments.getFirst()).isEqualTo("job " + id + " is queued");
            events.awaitEnd(Duration.ofSeconds(30));

            assertThat(events.ended()).isTrue();
            assertThat(events.joined("stdout")).isEqualTo("waited\n".getBytes());
            assertThat(events.named("result")).singleElement()
                    .satisfies(r -> assertThat(r.json().path("state").asText()).isEqualTo("succeeded"));
            assertThat(client.get("/v1/jobs/" + blocker, keyC).json().path("state").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    void another_keys_job_an_unknown_job_and_a_bad_last_event_id_are_problems() {
        String id = submit("echo mine");
        client.awaitEnd(keyA, id);

        for (Reply r : List.of(client.get("/v1/jobs/" + id + "/events", boxq.server().newKey("free")),
                client.get("/v1/jobs/job_0123456789abcdef/events", keyA),
                client.get("/v1/jobs/nope/events", keyA))) {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.body()).doesNotContain("mine");
        }
        assertThat(client.get("/v1/jobs/" + id + "/events", null).status()).isEqualTo(401);
        Reply bad = client.send(client.request("/v1/jobs/" + id + "/events", keyA).header("Last-Event-ID", "x").GET());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("errors").get(0).path("field").asText()).isEqualTo("Last-Event-ID");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
