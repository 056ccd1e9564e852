package io.boxq.server.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.boxq.api.health.HealthServer;
import io.boxq.api.metrics.ProcessMetrics;
import io.boxq.core.redis.Redis;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} of an all-in-one server (one registry for the api and the node, as in Main):
 * scrapes before and after some work show the named series moving by exactly that work.
 */
class MetricsIT {
    private static final int JOBS = 5;

    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("metrics", Map.of("WEBHOOK_ALLOW_PRIVATE", "true"));
    private static BoxqTestServer server;
    private static BoxqClient api;
    private static String key;

    @BeforeAll
    static void start() {
        key = api.createKey(server.adminKey(), TestEnvironment.unique("user"), "free").path("key").asText();
    }

    @Test
    void jobs_submitted_and_finished_move_by_exactly_the_jobs_run_with_their_times_and_requests() {
        Scrape before = Scrape.of(api);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            ids.add(api.submit(key, Map.of("command", "echo " + i)).path("id").asText());
        }
        for (String id : ids) {
            assertThat(api.awaitEnd(key, id).path("state").asText()).isEqualTo("succeeded");
        }
        Scrape after = Scrape.of(api);

        assertThat(delta(before, after, "boxq_jobs_submitted_total", "tier", "free")).isEqualTo(JOBS);
        assertThat(delta(before, after, "boxq_jobs_submitted_total", "tier", "pro")).isZero();
        assertThat(delta(before, after, "boxq_jobs_finished_total", "state", "succeeded")).isEqualTo(JOBS);
        assertThat(delta(before, after, "boxq_jobs_finished_total", "state", "failed")).isZero();
        assertThat(delta(before, after, "boxq_job_queue_wait_seconds_count")).isEqualTo(JOBS);
        assertThat(delta(before, after, "boxq_job_run_seconds_count")).isEqualTo(JOBS);
        assertThat(after.has("boxq_job_run_seconds_bucket", "le", "+Inf")).as("a histogram").isTrue();
        assertThat(delta(before, after, "boxq_http_requests_total", "route", "/v1/jobs", "method", "POST",
                "status", "202")).isEqualTo(JOBS);
        assertThat(delta(before, after, "boxq_http_requests_total", "route", "/v1/jobs/{id}", "method", "GET",
                "status", "200")).isGreaterThanOrEqualTo(JOBS);
        assertThat(after.value("boxq_http_requests_total", "route", "/metrics", "method", "GET", "status", "200"))
                .as("the first scrape, counted when it was done").isGreaterThanOrEqualTo(1);
    }

    @Test
    void a_failed_job_and_unknown_routes_are_counted_apart() {
        Scrape before = Scrape.of(api);

        assertThat(api.run(key, "exit 3").path("state").asText()).isEqualTo("failed");
        api.get("/v1/nothing/here/" + TestEnvironment.unique("x"), key);
        Scrape after = Scrape.of(api);

        assertThat(delta(before, after, "boxq_jobs_finished_total", "state", "failed")).isEqualTo(1);
        assertThat(delta(before, after, "boxq_jobs_finished_total", "state", "succeeded")).isZero();
        assertThat(delta(before, after, "boxq_http_requests_total", "route", "unmatched", "method", "GET",
                "status", "404")).isEqualTo(1);
        assertThat(after.series().keySet()).noneMatch(k -> k.contains("/v1/nothing"));
    }

    @Test
    void the_pool_streams_backlog_and_jvm_are_there() {
        Scrape s = Scrape.of(api);
        String node = server.workerId();

        assertThat(s.value("boxq_pool_containers", "node", node, "kind", "max")).isEqualTo(6);
        assertThat(s.has("boxq_pool_containers", "node", node, "kind", "available")).isTrue();
        assertThat(s.has("boxq_pool_containers", "node", node, "kind", "allocated")).isTrue();
        assertThat(s.value("boxq_pool_containers", "node", node, "kind", "total")).isGreaterThanOrEqualTo(1);
        assertThat(s.has("boxq_stream_depth", "stream", "jobs")).isTrue();
        assertThat(s.has("boxq_stream_depth", "stream", "node:" + node + ":jobs")).isTrue();
        assertThat(s.has("boxq_backlog_depth")).isTrue();
        assertThat(s.hasAny("jvm_memory_used_bytes")).isTrue();
        assertThat(s.hasAny("jvm_gc_")).isTrue();
        assertThat(s.hasAny("jvm_threads_live_threads")).isTrue();
        assertThat(s.hasAny("process_uptime_seconds")).isTrue();
        assertThat(s.hasAny("system_cpu_count")).isTrue();
    }

    @Test
    void the_backlog_gauge_counts_jobs_waiting_for_a_run_slot() {
        String slow = api.createKey(server.adminKey(), TestEnvironment.unique("user"), "free").path("key").asText();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // the free tier runs 2 at once: 2 wait in the backlog
            ids.add(api.submit(slow, Map.of("command", "sleep 3")).path("id").asText());
        }

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> Scrape.of(api).value("boxq_backlog_depth") == 2);
        ids.forEach(id -> api.awaitEnd(slow, id));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> Scrape.of(api).value("boxq_backlog_depth") == 0);
    }

    @Test
    void container_starts_and_removals_are_counted_with_their_latency() {
        Scrape before = Scrape.of(api);
        String owner = api.createKey(server.adminKey(), TestEnvironment.unique("user"), "free").path("key").asText();
        BoxqClient.Reply created = api.post("/v1/sandboxes", owner, Map.of("image", TestEnvironment.BOOKWORM));
        assertThat(created.status()).as(created.body()).isEqualTo(201);

        assertThat(api.delete("/v1/sandboxes/" + created.json().path("id").asText(), owner).status()).isEqualTo(204);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Scrape after = Scrape.of(api);
            assertThat(delta(before, after, "boxq_container_starts_total", "outcome", "started"))
                    .as("a bookworm container: nothing was warm").isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "boxq_container_start_seconds_count")).isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "boxq_container_removals_total")).isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "boxq_container_remove_seconds_count")).isGreaterThanOrEqualTo(1);
        });
    }

    @Test
    void a_delivered_webhook_is_counted_by_its_outcome() throws Exception {
        AtomicInteger received = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            received.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            Scrape before = Scrape.of(api);
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";

            JsonNode job = api.run(key, Map.of("command", "echo hook", "callback_url", url));

            assertThat(job.path("state").asText()).isEqualTo("succeeded");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(received.get()).isEqualTo(1);
                assertThat(delta(before, Scrape.of(api), "boxq_webhook_deliveries_total", "outcome", "delivered"))
                        .isEqualTo(1);
            });
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void an_executor_only_process_serves_metrics_beside_health() {
        try (Redis redis = new Redis(TestEnvironment.redisUrl(), server.prefix(), 4);
                HealthServer health = new HealthServer("127.0.0.1", 0, redis, Optional::empty, "executor-only",
                        ProcessMetrics.newRegistry()).start()) {
            BoxqClient client = new BoxqClient(URI.create("http://127.0.0.1:" + health.port()));

            assertThat(client.get("/health", null).status()).isEqualTo(200);
            Scrape s = Scrape.of(client);

            assertThat(s.hasAny("jvm_memory_used_bytes")).isTrue();
            assertThat(s.has("boxq_stream_depth", "stream", "jobs")).isTrue();
            assertThat(s.value("boxq_http_requests_total", "route", "/health", "method", "GET", "status", "200"))
                    .isEqualTo(1);
        }
    }

    private static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }
}
