package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.job.JobIds;
import io.boxq.core.job.JobSpec;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/jobs} pages through more jobs than one page holds, many of them submitted in the
 * same millisecond, and loses none: concurrent submits over HTTP, and a batch the api's own submit
 * path stores in one millisecond (a fixed clock), all behind one running job of a key allowed one,
 * so that they stay queued and some are cancelled.
 */
class JobListingIT {
    private static final int CONCURRENT_SUBMITS = 60;
    private static final int SAME_MILLISECOND = 30;

    private static BoxqTestServer server;
    private static BoxqClient api;
    private static String key;
    private static String running;
    private static final List<String> queued = Collections.synchronizedList(new ArrayList<>());
    private static final List<String> cancelled = new ArrayList<>();

    @BeforeAll
    static void submitJobs() throws Exception {
        server = BoxqTestServer.start("listing", Map.of("MAX_POOL_SIZE", "8"));
        api = server.client;
        Reply created = api.post("/v1/keys", server.adminKey(), Map.of("user", TestEnvironment.unique("lister"),
                "tier", "free", "concurrent_jobs", 1, "requests_per_minute", 100_000));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        key = created.json().path("key").asText();
        String keyId = created.json().path("id").asText();

        running = api.submit(key, Map.of("command", "sleep 120", "timeout_s", 150)).path("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> state(running).equals("running"));
        try (ExecutorService threads = Executors.newFixedThreadPool(16)) {
            List<Future<String>> submits = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_SUBMITS; i++) {
                submits.add(threads.submit(() -> api.submit(key, Map.of("command", "true")).path("id").asText()));
            }
            for (Future<String> f : submits) {
                queued.add(f.get());
            }
        }
        queued.addAll(storeInOneMillisecond(keyId, SAME_MILLISECOND));
        for (int i = 0; i < queued.size(); i += 4) {
            cancelled.add(queued.get(i));
        }
        for (String id : cancelled) {
            Reply r = api.post("/v1/jobs/" + id + "/cancel", key, Map.of());
            assertThat(r.status()).as(r.toString()).isLessThan(300);
        }
        queued.removeAll(cancelled);
    }

    @AfterAll
    static void stopServer() {
        if (server == null) {
            return;
        }
        try {
            queued.forEach(id -> api.post("/v1/jobs/" + id + "/cancel", key, Map.of()));
            if (running != null) {
                api.post("/v1/jobs/" + running + "/cancel", key, Map.of());
            }
        } finally {
            server.stopAndAssertClean();
        }
    }

    @Test
    void every_job_is_listed_exactly_once_across_pages_newest_first() {
        List<JsonNode> listed = listAll("", 9);

        List<String> ids = listed.stream().map(j -> j.path("id").asText()).toList();
        List<String> all = new ArrayList<>(queued);
        all.addAll(cancelled);
        all.add(running);
        assertThat(ids).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
        List<Instant> submitted = listed.stream().map(j -> Instant.parse(j.path("queued_at").asText())).toList();
        assertThat(submitted).as("newest first").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(submitted.stream().distinct().count())
                .as("jobs sharing a millisecond, more of them than a page holds")
                .isLessThanOrEqualTo(submitted.size() - SAME_MILLISECOND + 1);
    }

    @Test
    void a_state_filter_lists_exactly_the_jobs_in_that_state_across_pages() {
        assertThat(ids(listAll("&state=queued", 7))).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(queued);
        assertThat(ids(listAll("&state=cancelled", 4))).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(cancelled);
        assertThat(ids(listAll("&state=running", 5))).containsExactly(running);
        assertThat(ids(listAll("&state=succeeded", 5))).isEmpty();
    }

    @Test
    void the_order_is_the_same_as_in_one_big_page() {
        List<String> onePage = ids(listAll("", 100));
        assertThat(onePage).hasSize(CONCURRENT_SUBMITS + SAME_MILLISECOND + 1);

        assertThat(ids(listAll("", 1))).containsExactlyElementsOf(onePage);
    }

    /** Follows {@code next_cursor} until it is empty; each page holds at most {@code limit} jobs. */
    private static List<JsonNode> listAll(String query, int limit) {
        List<JsonNode> jobs = new ArrayList<>();
        String cursor = "";
        for (int pages = 0; pages < 500; pages++) {
            Reply r = api.get("/v1/jobs?limit=" + limit + query + (cursor.isEmpty() ? "" : "&cursor=" + cursor), key);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode page = r.json();
            assertThat(page.path("jobs").size()).isLessThanOrEqualTo(limit);
            page.path("jobs").forEach(jobs::add);
            cursor = page.path("next_cursor").asText();
            if (cursor.isEmpty()) {
                return jobs;
            }
        }
        throw new AssertionError("the listing did not end");
    }

    private static List<String> ids(List<JsonNode> jobs) {
        return jobs.stream().map(j -> j.path("id").asText()).toList();
    }

    private static String state(String jobId) {
        return api.get("/v1/jobs/" + jobId, key).json().path("state").asText();
    }

    /** Jobs stored the way the api stores a submit, all in one millisecond: behind the running job, they wait. */
    private static List<String> storeInOneMillisecond(String keyId, int count) {
        List<String> ids = new ArrayList<>();
        try (Redis redis = new Redis(TestEnvironment.redisUrl(), server.prefix(), 2)) {
            RedisJobStore store = new RedisJobStore(redis, Duration.ofMinutes(10),
                    Clock.fixed(Instant.now(), ZoneOffset.UTC));
            // A job's time is Redis's, from the id of its recent-jobs entry: with the stream's last id a
            // minute ahead (Redis runs on this host), every id until then takes that millisecond.
            long ahead = System.currentTimeMillis() + 60_000;
            redis.run(j -> j.eval("return redis.call('XSETID', KEYS[1], ARGV[1])", List.of(redis.keys().recentJobs()),
                    List.of(ahead + "-0")));
            for (int i = 0; i < count; i++) {
                String id = JobIds.newJobId();
                store.submit(id, keyId, 256L << 20, JobSpec.of("true", 30), redis.keys().jobsStream(), 1);
                ids.add(id);
            }
        }
        return ids;
    }
}
