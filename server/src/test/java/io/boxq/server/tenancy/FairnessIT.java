package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-key job concurrency: jobs beyond a key's limit wait in that key's backlog (not refused), start
 * as its slots free, and never hold back another key. Shown by ordering of the API's own timestamps,
 * not by timing.
 */
class FairnessIT {
    private static final int JOBS_OF_A = 20;
    private static final int CONCURRENT = 2;

    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("fairness",
            Map.of("MAX_POOL_SIZE", "8", "TIER_FREE_CONCURRENT_JOBS", Integer.toString(CONCURRENT)));
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void with_key_a_backlog_full_key_b_job_runs_at_once() {
        String a = server.newKey("free");
        String b = server.newKey("free");
        List<String> jobsOfA = new ArrayList<>();
        for (int i = 0; i < JOBS_OF_A; i++) {
            JsonNode queued = api.submit(a, Map.of("command", "sleep 2"));
            assertThat(queued.path("state").asText()).isEqualTo("queued");
            jobsOfA.add(queued.path("id").asText());
        }
        assertThat(api.get("/v1/jobs/" + jobsOfA.get(JOBS_OF_A - 1), a).json().path("state").asText())
                .isEqualTo("queued");
        JsonNode usageOfA = api.usage(a);
        assertThat(usageOfA.path("backlog_jobs").asInt()).isGreaterThan(0);
        assertThat(usageOfA.path("running_jobs").asInt()).isLessThanOrEqualTo(CONCURRENT);

        JsonNode jobOfB = api.run(b, "echo hi");

        assertThat(jobOfB.path("state").asText()).isEqualTo("succeeded");
        assertThat(jobOfB.path("stdout").asText()).isEqualTo("hi\n");
        assertThat(api.usage(a).path("backlog_jobs").asInt()).as("A's backlog when B's job had ended").isGreaterThan(0);
        assertThat(api.usage(b).path("backlog_jobs").asInt()).isZero();

        List<JsonNode> endedOfA = jobsOfA.stream().map(id -> api.awaitEnd(a, id)).toList();

        assertThat(endedOfA).allSatisfy(j -> assertThat(j.path("state").asText()).isEqualTo("succeeded"));
        assertThat(time(jobOfB, "finished_at")).as("B's job ended before A's 5th job started")
                .isBefore(time(endedOfA.get(4), "started_at"));
        assertThat(mostAtOnce(endedOfA)).as("A's jobs running at the same time").isEqualTo(CONCURRENT);
        // Slots are refilled as they free: over A's whole run both slots were busy nearly all the
        // time (a lost slot would leave one job at a time, an average near 1).
        assertThat(averageAtOnce(endedOfA)).as("A's average jobs running at once").isGreaterThan(1.5);
        assertThat(api.usage(a).path("running_jobs").asInt()).isZero();
        assertThat(api.usage(a).path("backlog_jobs").asInt()).isZero();
    }

    /** The figure: a key with 1,000 queued jobs does not delay another key's job. */
    @Test
    void a_key_with_a_thousand_queued_jobs_does_not_hold_back_another_keys_job() {
        JsonNode createdA = api.createKey(server.adminKey(), TestEnvironment.unique("many"), "free");
        String a = createdA.path("key").asText();
        String b = server.newKey("free");
        List<String> jobsOfA = new ArrayList<>();
        for (int batch = 0; batch < 10; batch++) {
            List<Map<String, Object>> items = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                items.add(Map.of("command", "sleep 60"));
            }
            BoxqClient.Reply r = api.post("/v1/jobs/batch", a, Map.of("jobs", items));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            r.json().path("results").forEach(item -> jobsOfA.add(item.path("job").path("id").asText()));
        }
        assertThat(jobsOfA).hasSize(1000).doesNotContain("");
        assertThat(api.usage(a).path("backlog_jobs").asInt()).isGreaterThanOrEqualTo(1000 - CONCURRENT);

        JsonNode jobOfB = api.run(b, "echo hi");

        assertThat(jobOfB.path("state").asText()).isEqualTo("succeeded");
        assertThat(jobOfB.path("stdout").asText()).isEqualTo("hi\n");
        assertThat(api.usage(a).path("backlog_jobs").asInt()).as("A's backlog when B's job had ended")
                .isGreaterThanOrEqualTo(1000 - CONCURRENT);

        // Revoking A cancels all of its jobs, running and waiting.
        assertThat(api.delete("/v1/keys/" + createdA.path("id").asText(), server.adminKey()).status()).isEqualTo(204);
        assertThat(server.jobState(jobsOfA.getLast())).isEqualTo("cancelled");
        await().atMost(Duration.ofSeconds(30)).until(() -> server.jobState(jobsOfA.getFirst()).equals("cancelled"));
    }

    /** The most jobs whose [started_at, finished_at] overlap (an end and a start at one instant do not). */
    private static int mostAtOnce(List<JsonNode> jobs) {
        record Event(Instant at, int change) {}
        List<Event> events = new ArrayList<>();
        for (JsonNode j : jobs) {
            events.add(new Event(time(j, "started_at"), +1));
            events.add(new Event(time(j, "finished_at"), -1));
        }
        events.sort(Comparator.comparing(Event::at).thenComparingInt(Event::change));
        int now = 0;
        int most = 0;
        for (Event e : events) {
            now += e.change();
            most = Math.max(most, now);
        }
        return most;
    }

    /** The jobs' summed run time divided by the span from the first start to the last end. */
    private static double averageAtOnce(List<JsonNode> jobs) {
        long busy = 0;
        Instant first = Instant.MAX;
        Instant last = Instant.MIN;
        for (JsonNode j : jobs) {
            Instant start = time(j, "started_at");
            Instant end = time(j, "finished_at");
            busy += Duration.between(start, end).toMillis();
            first = start.isBefore(first) ? start : first;
            last = end.isAfter(last) ? end : last;
        }
        return (double) busy / Duration.between(first, last).toMillis();
    }

    private static Instant time(JsonNode job, String field) {
        return Instant.parse(job.path(field).asText());
    }
}
