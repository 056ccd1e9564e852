package io.boxq.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime a container runs in (docs/architecture.md, "Runtimes"): chosen within the key's runtimes
 * (its tier's, or an admin override), shown in the job's and the sandbox's JSON, and under runsc a
 * kernel of its own (gVisor's), not the host's.
 */
class RuntimeChoiceIT {
    private static BoxqTestServer server;
    private static BoxqClient client;

    @BeforeAll
    static void startServer() {
        server = BoxqTestServer.start("runtime-choice", Map.of("ALLOWED_RUNTIMES", "runc,runsc", "SANDBOX_RUNTIME", "runc",
                "TIER_PRO_RUNTIMES", "runc", "POOL_SIZE", "1", "MIN_POOL_SIZE", "0"));
        client = server.client;
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.stopAndAssertClean();
        }
    }

    @Test
    void a_pro_sandbox_asking_for_runsc_where_its_tier_allows_only_runc_gets_a_400_naming_runtime_until_an_admin_override() {
        JsonNode created = client.createKey(server.adminKey(), "pro-user", "pro");
        String key = created.path("key").asText();
        String id = created.path("id").asText();

        BoxqClient.Reply refused = client.post("/v1/sandboxes", key, Map.of("runtime", "runsc"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body()).contains("\"runtime\"");
        BoxqClient.Reply refusedJob = client.post("/v1/jobs", key, Map.of("command", "true", "runtime", "runsc"));
        assertThat(refusedJob.status()).as(refusedJob.body()).isEqualTo(400);
        assertThat(refusedJob.body()).contains("\"runtime\"");

        JsonNode limits = client.send(client.request("/v1/keys/" + id, server.adminKey()).method("PATCH",
                HttpRequest.BodyPublishers.ofString("{\"runtimes\": [\"runc\", \"runsc\"]}"))).json().path("limits");
        assertThat(limits.path("runtimes").toString()).isEqualTo("[\"runc\",\"runsc\"]");

        BoxqClient.Reply sandbox = client.post("/v1/sandboxes", key, Map.of("runtime", "runsc"));
        assertThat(sandbox.status()).as(sandbox.body()).isBetween(200, 201);
        assertThat(sandbox.json().path("runtime").asText()).isEqualTo("runsc");
        String sandboxId = sandbox.json().path("id").asText();
        JsonNode job = client.run(key, Map.of("command", "echo in-gvisor", "sandbox_id", sandboxId));
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
        assertThat(job.path("runtime").asText()).isEqualTo("runsc");
        assertThat(client.delete("/v1/sandboxes/" + sandboxId, key).status()).isBetween(200, 204);
    }

    @Test
    void a_runsc_sandbox_keeps_files_and_background_processes_between_jobs_and_reports_its_stats() {
        String key = client.createKey(server.adminKey(), "sandbox-user", "free").path("key").asText();
        BoxqClient.Reply created = client.post("/v1/sandboxes", key, Map.of("runtime", "runsc"));
        assertThat(created.status()).as(created.body()).isBetween(200, 201);
        String sandbox = created.json().path("id").asText();
        try {
            BoxqClient.Reply put = client.send(client.request("/v1/sandboxes/" + sandbox + "/files?path=in.txt", key)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0, 1, (byte) 255, 10})));
            assertThat(put.status()).as(put.body()).isEqualTo(201);

            JsonNode first = client.run(key, Map.of("sandbox_id", sandbox,
                    "command", "od -An -tu1 in.txt; (sleep 600 &) ; echo kept > out.txt"));
            JsonNode second = client.run(key, Map.of("sandbox_id", sandbox,
                    "command", "cat out.txt; for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done"));
            BoxqClient.Reply download = client.get("/v1/sandboxes/" + sandbox + "/files?path=out.txt", key);
            BoxqClient.Reply stats = client.get("/v1/sandboxes/" + sandbox + "/stats", key);

            assertThat(first.path("stdout").asText().trim()).as(first.toString()).isEqualTo("0   1 255  10");
            assertThat(second.path("stdout").asText()).as(second.toString()).startsWith("kept\n").contains("sleep 600");
            assertThat(download.body()).isEqualTo("kept\n");
            assertThat(stats.status()).as(stats.body()).isEqualTo(200);
            assertThat(stats.json().path("now").path("memory_bytes").asLong()).as(stats.body()).isPositive();
            assertThat(stats.json().path("now").path("memory_limit_bytes").asLong()).isEqualTo(256L << 20);
            assertThat(stats.json().path("now").path("pids").asLong()).isGreaterThanOrEqualTo(3);
        } finally {
            client.delete("/v1/sandboxes/" + sandbox, key);
        }
    }

    @Test
    void a_runsc_sandbox_pauses_resumes_snapshots_and_forks_and_its_copies_stay_in_runsc() {
        String key = client.createKey(server.adminKey(), "copies-user", "free").path("key").asText();
        String source = client.createSandbox(key, Map.of("runtime", "runsc"));
        String fork = null;
        String restored = null;
        try {
            assertThat(client.runIn(key, source, "echo from-gvisor > kept.txt").path("exit_code").asInt()).isZero();

            BoxqClient.Reply paused = client.post("/v1/sandboxes/" + source + "/pause", key, Map.of());
            assertThat(paused.json().path("state").asText()).as(paused.body()).isEqualTo("paused");
            JsonNode whilePaused = client.runIn(key, source, "cat kept.txt");
            assertThat(whilePaused.path("stdout").asText()).as(whilePaused.toString()).isEqualTo("from-gvisor\n");
            assertThat(client.get("/v1/sandboxes/" + source, key).json().path("state").asText()).isEqualTo("ready");

            BoxqClient.Reply forked = client.post("/v1/sandboxes/" + source + "/fork", key, Map.of());
            assertThat(forked.status()).as(forked.body()).isBetween(200, 201);
            fork = forked.json().path("sandboxes").path(0).path("id").asText();
            assertThat(forked.json().path("sandboxes").path(0).path("runtime").asText()).isEqualTo("runsc");
            assertThat(client.runIn(key, fork, "cat kept.txt; uname -r").path("stdout").asText())
                    .startsWith("from-gvisor\n").isNotEqualTo(client.run(key, Map.of("command", "uname -r",
                            "runtime", "runc")).path("stdout").asText());

            BoxqClient.Reply snapshot = client.post("/v1/sandboxes/" + source + "/snapshots", key, Map.of());
            assertThat(snapshot.status()).as(snapshot.body()).isBetween(200, 201);
            client.delete("/v1/sandboxes/" + fork, key);
            fork = null;
            BoxqClient.Reply made = client.post("/v1/sandboxes", key,
                    Map.of("snapshot_id", snapshot.json().path("id").asText()));
            assertThat(made.status()).as(made.body()).isBetween(200, 201);
            restored = made.json().path("id").asText();
            assertThat(made.json().path("runtime").asText()).as("a restore keeps the snapshot's runtime").isEqualTo("runsc");
            assertThat(client.runIn(key, restored, "cat kept.txt").path("stdout").asText()).isEqualTo("from-gvisor\n");
            client.delete("/v1/snapshots/" + snapshot.json().path("id").asText(), key);
        } finally {
            for (String id : new String[] {source, fork, restored}) {
                if (id != null) {
                    client.delete("/v1/sandboxes/" + id, key);
                }
            }
        }
    }

    @Test
    void a_runsc_job_that_fills_its_memory_ends_with_a_clear_end_and_the_next_runsc_job_runs() {
        String key = client.createKey(server.adminKey(), "oom-user", "free").path("key").asText();
        // tail holds all its input: far past the free tier's 256 MiB. Under gVisor the sandbox may stall
        // at its limit instead of losing the process: then the timeout ends it, and its container with it
        JsonNode hog = client.run(key, Map.of("command", "head -c 600000000 /dev/zero | tail > /dev/null; echo survived",
                "runtime", "runsc", "timeout_s", 20));
        assertThat(hog.path("state").asText()).as(hog.toString()).isIn("failed", "timed_out", "error");
        assertThat(hog.path("stdout").asText()).as(hog.toString()).doesNotContain("survived");
        if (hog.path("state").asText().equals("error")) {
            assertThat(hog.path("error").asText()).as(hog.toString()).isNotBlank();
        }
        JsonNode after = client.run(key, Map.of("command", "echo still-here", "runtime", "runsc"));
        assertThat(after.path("state").asText()).as(after.toString()).isEqualTo("succeeded");
        assertThat(after.path("stdout").asText()).isEqualTo("still-here\n");
    }

    @Test
    void a_jobs_json_says_which_runtime_ran_it() {
        String key = client.createKey(server.adminKey(), "free-user", "free").path("key").asText();

        JsonNode byDefault = client.run(key, "true");
        JsonNode gvisor = client.run(key, Map.of("command", "true", "runtime", "runsc"));

        assertThat(byDefault.path("runtime").asText()).isEqualTo("runc");
        assertThat(gvisor.path("state").asText()).as(gvisor.toString()).isEqualTo("succeeded");
        assertThat(gvisor.path("runtime").asText()).isEqualTo("runsc");
    }

    @Test
    void inside_runsc_the_kernel_is_gvisors_not_the_hosts() throws Exception {
        String key = client.createKey(server.adminKey(), "kernel-user", "free").path("key").asText();
        String host = Files.readString(Path.of("/proc/version")).trim();

        JsonNode gvisor = client.run(key, Map.of("command", "cat /proc/version; dmesg | head -n 3", "runtime", "runsc"));
        JsonNode runc = client.run(key, Map.of("command", "cat /proc/version", "runtime", "runc"));

        assertThat(gvisor.path("state").asText()).as(gvisor.toString()).isEqualTo("succeeded");
        String out = gvisor.path("stdout").asText();
        assertThat(out).contains("Starting gVisor").doesNotContain(host);
        assertThat(runc.path("stdout").asText().trim()).as("runc shares the host's kernel").isEqualTo(host);
    }

    @Test
    void an_executor_whose_engine_lacks_an_allowed_runtime_refuses_to_start_naming_it() {
        assertThatThrownBy(() -> BoxqTestServer.start("runtime-missing",
                Map.of("ALLOWED_RUNTIMES", "runc,boxq-no-such-runtime", "POOL_SIZE", "0", "MIN_POOL_SIZE", "0")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lacks the runtime(s) boxq-no-such-runtime")
                .hasMessageContaining("ALLOWED_RUNTIMES");
    }
}
