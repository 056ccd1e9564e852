package io.boxq.server.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Usage per key and UTC day ({@code usage:{key}:{day}}): jobs run, their wall-clock run seconds,
 * the CPU seconds their runners measured, sandbox seconds and the CPU seconds the monitor measured
 * in sandboxes; {@code /v1/quota/usage} shows the key's last 7 days, {@code /v1/system/stats} the
 * totals'.
 */
class UsageHistoryIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("usage", Map.of());
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void a_keys_jobs_and_sandbox_time_show_up_in_todays_usage_and_in_the_totals() {
        String key = api.createKey(server.adminKey(), TestEnvironment.unique("user"), "free").path("key").asText();
        String other = api.createKey(server.adminKey(), TestEnvironment.unique("user"), "free").path("key").asText();
        long totalJobsBefore = todaysTotals().path("jobs").asLong();
        assertThat(api.run(key, "sleep 0.3").path("state").asText()).isEqualTo("succeeded");
        assertThat(api.run(key, "exit 1").path("state").asText()).isEqualTo("failed");
        assertThat(api.run(other, "true").path("state").asText()).isEqualTo("succeeded");
        Reply created = api.post("/v1/sandboxes", key, Map.of());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String sandbox = created.json().path("id").asText();
        server.node().monitorResources();
        assertThat(api.run(key, Map.of("sandbox_id", sandbox, "command",
                "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done")).path("state").asText()).isEqualTo("succeeded");
        server.node().monitorResources();
        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);

        JsonNode history = api.get("/v1/quota/usage", key).json().path("history");

        assertThat(history).hasSize(7);
        JsonNode today = history.get(6);
        assertThat(today.path("date").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
        assertThat(today.path("jobs").asLong()).as("two jobs and one in the sandbox; another key's not").isEqualTo(3);
        assertThat(today.path("run_seconds").asDouble()).isGreaterThanOrEqualTo(0.3);
        assertThat(today.path("sandbox_seconds").asDouble()).isPositive();
        assertThat(today.path("sandbox_cpu_seconds").asDouble()).as("measured between two samples").isPositive();
        assertThat(today.path("cpu_seconds").asDouble()).as("the sandbox job's loop, at least").isPositive();
        assertThat(history.get(0).path("jobs").asLong()).as("six days ago").isZero();

        JsonNode totals = api.get("/v1/system/stats", server.adminKey()).json().path("usage_history");
        assertThat(totals).hasSize(7);
        assertThat(totals.get(6).path("jobs").asLong() - totalJobsBefore).isEqualTo(4);
        assertThat(totals.get(6).path("sandbox_seconds").asDouble())
                .isEqualTo(today.path("sandbox_seconds").asDouble());
    }

    @Test
    void a_plain_jobs_cpu_time_is_in_its_json_and_in_its_keys_cpu_seconds_and_the_totals() {
        String key = api.createKey(server.adminKey(), TestEnvironment.unique("user"), "free").path("key").asText();
        double totalBefore = todaysTotals().path("cpu_seconds").asDouble();

        JsonNode burn = api.run(key, "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done");
        JsonNode sleep = api.run(key, "sleep 1");

        assertThat(burn.path("state").asText()).isEqualTo("succeeded");
        assertThat(burn.path("cpu_ms").asLong()).as("about 0.3 s of busy loop: " + burn).isGreaterThan(150);
        assertThat(burn.path("cpu_ms").asLong()).as("at most its wall clock")
                .isLessThanOrEqualTo(burn.path("duration_ms").asLong());
        assertThat(sleep.path("cpu_ms").isIntegralNumber()).as("measured: " + sleep).isTrue();
        assertThat(sleep.path("cpu_ms").asLong()).isLessThan(60);
        JsonNode today = api.get("/v1/quota/usage", key).json().path("history").get(6);
        double jobsCpu = (burn.path("cpu_ms").asLong() + sleep.path("cpu_ms").asLong()) / 1000.0;
        assertThat(today.path("jobs").asLong()).isEqualTo(2);
        assertThat(today.path("cpu_seconds").asDouble()).as("the sum of the jobs' cpu_ms")
                .isCloseTo(jobsCpu, within(0.002));
        assertThat(today.path("run_seconds").asDouble()).as("wall clock, more than the CPU").isGreaterThan(1.0);
        assertThat(todaysTotals().path("cpu_seconds").asDouble() - totalBefore).isGreaterThanOrEqualTo(jobsCpu - 0.002);
    }

    private static JsonNode todaysTotals() {
        return api.get("/v1/system/stats", server.adminKey()).json().path("usage_history").get(6);
    }
}
