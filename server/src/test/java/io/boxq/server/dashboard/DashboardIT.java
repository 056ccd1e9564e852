package io.boxq.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard at {@code /} against a real server (Redis, containers): jobs run, a sandbox fills
 * its workspace past the disk warning, and then {@code GET /v1/system/overview} and the page that
 * Debian's headless Chromium renders from it must show those real figures. The screenshot is kept
 * in {@code server/target/dashboard.png}.
 */
class DashboardIT {
    private static final Path TARGET = Path.of("target");
    private static BoxqTestServer server;
    private static BoxqClient api;
    private static String userKey;
    private static String sandbox;
    /** Deleted at once: its record is kept (ended), but the overview shows live sandboxes only. */
    private static String endedSandbox;
    private static final List<String> jobs = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = BoxqTestServer.start("dashboard", Map.of());
        api = server.client;
        userKey = api.createKey(server.adminKey(), TestEnvironment.unique("ops"), "free").path("key").asText();
        for (String command : List.of("echo one", "echo two", "echo three", "echo four >&2; exit 3")) {
            jobs.add(api.run(userKey, command).path("id").asText());
        }
        Reply created = api.post("/v1/sandboxes", userKey, Map.of());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        sandbox = created.json().path("id").asText();
        Reply second = api.post("/v1/sandboxes", userKey, Map.of());
        assertThat(second.status()).as(second.body()).isEqualTo(201);
        endedSandbox = second.json().path("id").asText();
        assertThat(api.delete("/v1/sandboxes/" + endedSandbox, userKey).status()).isEqualTo(204);
        server.node().monitorResources();
        JsonNode fill = api.run(userKey, Map.of("sandbox_id", sandbox,
                "command", "dd if=/dev/zero of=/workspace/fill bs=1M count=110 2>/dev/null"));
        assertThat(fill.path("state").asText()).as(fill.toString()).isEqualTo("succeeded");
        jobs.add(fill.path("id").asText());
        server.node().monitorResources(); // 86 % of the 128 MiB workspace: a disk warning
        server.node().monitorResources();
        server.node().heartbeat();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void the_overview_is_for_the_admin_key_only() {
        assertThat(api.get("/v1/system/overview", null).status()).isEqualTo(401);
        assertThat(api.get("/v1/system/overview", userKey).status()).isEqualTo(403);
        assertThat(api.get("/v1/system/overview", server.adminKey()).status()).isEqualTo(200);
    }

    @Test
    void the_overview_has_the_nodes_pools_sandboxes_queue_jobs_and_violations() {
        JsonNode o = overview();

        JsonNode node = o.path("nodes").get(0);
        assertThat(node.path("id").asText()).isEqualTo(server.workerId());
        assertThat(node.path("max_capacity").asInt()).isEqualTo(6);
        assertThat(node.path("sandboxes").asInt()).isEqualTo(1);
        assertThat(node.path("total").asInt()).isEqualTo(server.node().poolStats().total());
        JsonNode shape = node.path("shapes").get(0);
        assertThat(shape.path("image").asText()).isEqualTo(TestEnvironment.BUSYBOX);
        assertThat(shape.path("memory_bytes").asLong()).isEqualTo(256L << 20);
        assertThat(shape.path("total").asInt()).isEqualTo(shape.path("available").asInt() + shape.path("allocated").asInt());

        JsonNode sbx = o.path("sandboxes").path("items").get(0);
        assertThat(o.path("sandboxes").path("total").asInt()).isEqualTo(1);
        assertThat(sbx.path("id").asText()).isEqualTo(sandbox);
        assertThat(o.path("sandboxes").path("items")).hasSize(1);
        assertThat(o.toString()).doesNotContain(endedSandbox);
        assertThat(sbx.path("history")).hasSize(3);
        assertThat(sbx.path("latest").path("memory_bytes").asLong()).as("the 110 MiB file counts").isGreaterThan(110L << 20);
        assertThat(sbx.path("latest").path("disk_percent").asDouble()).isGreaterThan(80);

        assertThat(o.path("queue").path("streams").get(0).path("stream").asText()).isEqualTo("jobs");
        assertThat(o.path("queue").path("backlog").asLong()).isZero();

        assertThat(o.path("jobs").path("today").path("jobs").asInt()).isEqualTo(5);
        List<String> recent = new ArrayList<>();
        o.path("jobs").path("recent").forEach(j -> recent.add(j.path("id").asText()));
        assertThat(recent).as("newest first, no sandbox operations").containsExactlyElementsOf(jobs.reversed());
        assertThat(o.path("jobs").path("recent_by_state").path("succeeded").asInt()).isEqualTo(4);
        assertThat(o.path("jobs").path("recent_by_state").path("failed").asInt()).isEqualTo(1);
        JsonNode failed = o.path("jobs").path("recent").get(1);
        assertThat(failed.path("command").asText()).isEqualTo("echo four >&2; exit 3");
        assertThat(failed.path("exit_code").asInt()).isEqualTo(3);

        List<String> violations = new ArrayList<>(); // the dd may also have held the CPU quota long enough
        o.path("violations").forEach(v -> violations.add(v.path("sandbox_id").asText() + " "
                + v.path("kind").asText() + " " + v.path("level").asText()));
        assertThat(violations).contains(sandbox + " disk warning");
    }

    @Test
    void the_dashboard_page_renders_the_real_figures_in_headless_chromium() throws IOException {
        HttpResponse<String> page = api.exchange(api.request("/", null).GET());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
        assertThat(page.body()).as("the page holds no data").doesNotContain(server.workerId());

        JsonNode o = overview();
        int poolTotal = o.path("nodes").get(0).path("total").asInt();
        Files.createDirectories(TARGET);
        HeadlessChromium chromium = new HeadlessChromium(Files.createTempDirectory(TARGET, "chromium-"));
        String url = api.base().resolve("/") + "#key=" + server.adminKey();
        String dom = chromium.dumpDom(url, Duration.ofSeconds(5));

        assertThat(dom).contains("data-node=\"" + server.workerId() + "\"")
                .contains("data-field=\"node-total\">" + poolTotal + "<")
                .contains("data-field=\"node-max\">6<")
                .contains(TestEnvironment.BUSYBOX)
                .contains("data-sandbox=\"" + sandbox + "\"")
                .contains("data-field=\"sandboxes-total\">1<")
                .contains("data-field=\"jobs-today\">5<")
                .contains("data-field=\"state-succeeded\">4<")
                .contains("data-field=\"state-failed\">1<")
                .contains("echo four &gt;&amp;2; exit 3")
                .contains("disk at")
                .contains("<polyline");
        for (String job : jobs) {
            assertThat(dom).contains("data-job=\"" + job + "\"");
        }
        assertThat(dom).as("the login form is hidden").containsPattern("<section id=\"login\" class=\"login\" hidden");

        Path png = TARGET.resolve("dashboard.png");
        chromium.screenshot(url, png, 1400, 1000, Duration.ofSeconds(5));
        assertThat(Files.size(png)).as("a real picture").isGreaterThan(20_000);
    }

    @Test
    void a_user_key_in_the_fragment_gets_the_admin_only_message() throws IOException {
        Files.createDirectories(TARGET);
        HeadlessChromium chromium = new HeadlessChromium(Files.createTempDirectory(TARGET, "chromium-"));
        String dom = chromium.dumpDom(api.base().resolve("/") + "#key=" + userKey, Duration.ofSeconds(3));
        assertThat(dom).contains("not the admin key (403)").doesNotContain("data-sandbox=");
    }

    private static JsonNode overview() {
        Reply r = api.get("/v1/system/overview", server.adminKey());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }
}
