package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real answers of a real server, over every documented route, held to the /openapi.json that
 * server serves: documented status, media type, schema, no undocumented field, rate-limit headers.
 */
class OpenApiResponsesIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("openapi", Map.of());
    private static BoxqTestServer server;
    private static BoxqClient client;
    private static OpenApiContract contract;
    private static String key;
    private final List<String> problems = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        HttpResponse<String> doc = client.exchange(client.request("/openapi.json", null).GET());
        assertThat(doc.statusCode()).isEqualTo(200);
        contract = new OpenApiContract(doc.body());
        key = client.createKey(server.adminKey(), TestEnvironment.unique("contract"), "free").path("key").asText();
    }

    @AfterEach
    void everyAnswerMatchedTheDocument() {
        assertThat(problems).isEmpty();
    }

    @Test
    void jobs() {
        String id = json(call("POST", "/v1/jobs", "/v1/jobs", key, Map.of("command", "echo hi; exit 2",
                "metadata", Map.of("k", "v")), 202)).path("id").asText();
        call("GET", "/v1/jobs/{id}", "/v1/jobs/" + id + "?wait=30", key, null, 200);
        call("GET", "/v1/jobs", "/v1/jobs?limit=5", key, null, 200);
        call("GET", "/v1/jobs", "/v1/jobs?state=nonsense", key, null, 400);
        call("POST", "/v1/jobs/{id}/cancel", "/v1/jobs/" + id + "/cancel", key, null, 409);
        call("GET", "/v1/jobs/{id}/deliveries", "/v1/jobs/" + id + "/deliveries", key, null, 200);
        call("GET", "/v1/jobs/{id}", "/v1/jobs/job_000000000000000000000000", key, null, 404);
        call("POST", "/v1/jobs", "/v1/jobs", key, Map.of("command", 5, "colour", "red"), 400);
        call("POST", "/v1/jobs", "/v1/jobs", null, Map.of("command", "true"), 401);
        call("POST", "/v1/jobs", "/v1/jobs", key, Map.of("command", "x".repeat(1_100_000)), 413);
        call("POST", "/v1/jobs/batch", "/v1/jobs/batch", key, Map.of("jobs", List.of(Map.of("command", "true"),
                Map.of("command", 1), Map.of("command", "true", "sandbox_id", "sbx_000000000000"))), 200);
        call("POST", "/v1/jobs/batch", "/v1/jobs/batch", key, Map.of("jobs", List.of()), 400);
        String queued = json(call("POST", "/v1/jobs", "/v1/jobs", key, Map.of("command", "sleep 30"), 202))
                .path("id").asText();
        call("POST", "/v1/jobs/{id}/cancel", "/v1/jobs/" + queued + "/cancel", key, null, 200);
    }

    @Test
    void sandboxes() {
        String id = json(call("POST", "/v1/sandboxes", "/v1/sandboxes", key, Map.of("env", Map.of("A", "b")), 201))
                .path("id").asText();
        String base = "/v1/sandboxes/" + id;
        call("GET", "/v1/sandboxes/{id}", base, key, null, 200);
        call("GET", "/v1/sandboxes", "/v1/sandboxes", key, null, 200);
        call("POST", "/v1/sandboxes/{id}/keepalive", base + "/keepalive", key, Map.of("ttl_s", 600), 200);
        call("PUT", "/v1/sandboxes/{id}/files", base + "/files?path=a.txt", key, "hello", 201);
        call("GET", "/v1/sandboxes/{id}/files", base + "/files?path=a.txt", key, null, 200);
        call("GET", "/v1/sandboxes/{id}/files", base + "/files?path=../x", key, null, 400);
        call("GET", "/v1/sandboxes/{id}/files", base + "/files?path=missing.txt", key, null, 404);
        call("GET", "/v1/sandboxes/{id}/stats", base + "/stats", key, null, 200);
        call("POST", "/v1/sandboxes", "/v1/sandboxes", key, Map.of("ttl_s", "long"), 400);
        call("GET", "/v1/sandboxes", "/v1/sandboxes?state=sleeping", key, null, 400);
        call("DELETE", "/v1/sandboxes/{id}", base, key, null, 204);
        JsonNode ended = json(call("GET", "/v1/sandboxes/{id}", base, key, null, 200));
        assertThat(ended.path("state").asText()).isEqualTo("deleted");
        assertThat(ended.path("ended_at").isTextual()).isTrue();
        assertThat(ended.path("end_reason").isTextual()).isTrue();
        call("GET", "/v1/sandboxes", "/v1/sandboxes?state=ended", key, null, 200);
        call("GET", "/v1/sandboxes", "/v1/sandboxes?state=all", key, null, 200);
        call("DELETE", "/v1/sandboxes/{id}", base, key, null, 410);
        call("POST", "/v1/sandboxes/{id}/keepalive", base + "/keepalive", key, Map.of(), 410);
        call("PUT", "/v1/sandboxes/{id}/files", base + "/files?path=a.txt", key, "hello", 410);
        call("GET", "/v1/sandboxes/{id}/files", base + "/files?path=a.txt", key, null, 410);
        call("GET", "/v1/sandboxes/{id}/stats", base + "/stats", key, null, 410);
        call("POST", "/v1/jobs", "/v1/jobs", key, Map.of("command", "true", "sandbox_id", id), 410);
        JsonNode batch = json(call("POST", "/v1/jobs/batch", "/v1/jobs/batch", key,
                Map.of("jobs", List.of(Map.of("command", "true", "sandbox_id", id))), 200));
        assertThat(batch.path("results").get(0).path("status").asInt()).isEqualTo(410);
        assertThat(batch.path("results").get(0).path("problem").path("type").asText()).endsWith("sandbox-ended");
        call("GET", "/v1/sandboxes/{id}", "/v1/sandboxes/sbx_000000000000", key, null, 404);
    }

    @Test
    void account_and_webhooks() {
        call("GET", "/v1/quota/usage", "/v1/quota/usage", key, null, 200);
        call("GET", "/v1/webhook-secret", "/v1/webhook-secret", key, null, 200);
        call("POST", "/v1/webhook-secret/rotate", "/v1/webhook-secret/rotate", key, null, 200);
        call("GET", "/v1/system/stats", "/v1/system/stats", key, null, 403);
    }

    @Test
    void admin() {
        String admin = server.adminKey();
        String id = json(call("POST", "/v1/keys", "/v1/keys", admin, Map.of("user", TestEnvironment.unique("k"),
                "tier", "pro", "name", "ci", "webhook_url", "https://example.com/hook", "concurrent_jobs", 3), 201))
                .path("id").asText();
        call("GET", "/v1/keys", "/v1/keys", admin, null, 200);
        call("PATCH", "/v1/keys/{id}", "/v1/keys/" + id, admin, Map.of("tier", "free", "webhook_url", ""), 200);
        call("PATCH", "/v1/keys/{id}", "/v1/keys/" + id, admin, Map.of("tier", "platinum"), 400);
        call("DELETE", "/v1/keys/{id}", "/v1/keys/" + id, admin, null, 204);
        call("DELETE", "/v1/keys/{id}", "/v1/keys/" + id, admin, null, 404);
        call("GET", "/v1/system/stats", "/v1/system/stats", admin, null, 200);
        call("GET", "/v1/system/overview", "/v1/system/overview", admin, null, 200);
        call("GET", "/v1/system/overview", "/v1/system/overview", key, null, 403);
        call("POST", "/v1/system/cleanup", "/v1/system/cleanup", admin, null, 200);
        call("GET", "/v1/audit", "/v1/audit?limit=5", admin, null, 200);
        call("GET", "/v1/audit", "/v1/audit?cursor=x", admin, null, 400);
    }

    @Test
    void the_rate_limit() {
        String limited = json(call("POST", "/v1/keys", "/v1/keys", server.adminKey(), Map.of(
                "user", TestEnvironment.unique("rl"), "requests_per_minute", 1), 201)).path("key").asText();
        call("GET", "/v1/quota/usage", "/v1/quota/usage", limited, null, 200);
        HttpResponse<String> refused = client.exchange(client.request("/v1/quota/usage", limited).GET());
        if (refused.statusCode() == 200) { // the minute turned between the two: the next one is refused
            refused = client.exchange(client.request("/v1/quota/usage", limited).GET());
        }
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        problems.addAll(contract.problems("GET", "/v1/quota/usage", refused));
    }

    @Test
    void service_routes() {
        call("GET", "/health", "/health", null, null, 200);
        call("GET", "/metrics", "/metrics", null, null, 200);
        call("GET", "/openapi.json", "/openapi.json", null, null, 200);
    }

    @Test
    void the_contract_sees_answers_that_depart_from_the_document() {
        HttpHeaders json = HttpHeaders.of(Map.of("Content-Type", List.of("application/json"),
                "X-RateLimit-Limit", List.of("600"), "X-RateLimit-Remaining", List.of("599"),
                "X-RateLimit-Reset", List.of("30")), (name, value) -> true);
        String job = """
                {"id": "job_1", "state": "queued", "command": "true", "attempt": 0, "queued_at": "2026-01-01T00:00:00Z"}""";

        assertThat(contract.problems("GET", "/v1/jobs/{id}", 200, json, job)).isEmpty();
        assertThat(contract.problems("GET", "/v1/jobs/{id}", 200, json, job.replace("\"queued\",", "\"asleep\",")))
                .singleElement().asString().contains("state");
        assertThat(contract.problems("GET", "/v1/jobs/{id}", 200, json, job.replace("\"attempt\": 0", "\"attempt\": \"0\"")))
                .singleElement().asString().contains("attempt");
        assertThat(contract.problems("GET", "/v1/jobs/{id}", 200, json, job.replace("\"id\"", "\"colour\": 1, \"id\"")))
                .singleElement().asString().contains("$.colour is not in the document");
        assertThat(contract.problems("GET", "/v1/jobs/{id}", 200, json, job.replace("\"command\": \"true\", ", "")))
                .singleElement().asString().contains("command");
        assertThat(contract.problems("GET", "/v1/jobs/{id}", 418, json, job)).singleElement().asString()
                .contains("not documented");
        assertThat(contract.problems("GET", "/v1/jobs/{id}", 200,
                HttpHeaders.of(Map.of("Content-Type", List.of("application/json")), (name, value) -> true), job))
                .hasSize(3).allSatisfy(p -> assertThat(p).contains("X-RateLimit-"));
        assertThat(contract.problems("GET", "/v1/jobs/{id}/logs", 200, json, job)).singleElement().asString()
                .contains("not in the document");
    }

    /** Sends the request, checks the status, and notes where the answer departs from the document. */
    private HttpResponse<String> call(String method, String template, String path, String caller, Object body,
            int expected) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body));
        HttpResponse<String> r = client.exchange(client.request(path, caller).method(method, publisher));
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(expected);
        problems.addAll(contract.problems(method, template, r));
        return r;
    }

    private static JsonNode json(HttpResponse<String> r) {
        return new BoxqClient.Reply(r.statusCode(), "", r.body()).json();
    }
}
