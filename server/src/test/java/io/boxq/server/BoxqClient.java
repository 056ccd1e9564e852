package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Real HTTP/1.1 against a boxq api: the answer with its headers, and the calls the ITs repeat
 * (create a key, run a command, create a sandbox, move files). The one test client: every IT that
 * speaks HTTP to boxq uses it.
 */
public final class BoxqClient {
    public static final Set<String> TERMINAL = Set.of("succeeded", "failed", "timed_out", "cancelled", "error");

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public BoxqClient(URI base) {
        this.base = base;
    }

    public URI base() {
        return base;
    }

    /** One HTTP answer; {@link #json()} parses the body, {@link #bytes()} keeps it as sent (files are binary). */
    public record Reply(int status, String contentType, String body, HttpHeaders headers, byte[] bytes) {
        /** An answer read elsewhere (a raw exchange), without headers. */
        public Reply(int status, String contentType, String body) {
            this(status, contentType, body, HttpHeaders.of(Map.of(), (name, value) -> true),
                    body.getBytes(StandardCharsets.UTF_8));
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public JsonNode json() {
            try {
                return Json.mapper().readTree(bytes);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Reply get(String path, String key) {
        return send(request(path, key).GET());
    }

    public Reply delete(String path, String key) {
        return send(request(path, key).DELETE());
    }

    public Reply post(String path, String key, String body) {
        return send(request(path, key).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(body)));
    }

    public Reply post(String path, String key, Map<String, ?> body) {
        return post(path, key, Json.write(body));
    }

    public Reply patch(String path, String key, String body) {
        return send(request(path, key).header("Content-Type", "application/json")
                .method("PATCH", BodyPublishers.ofString(body)));
    }

    public Reply patch(String path, String key, Map<String, ?> body) {
        return patch(path, key, Json.write(body));
    }

    public Reply putFile(String sandboxId, String path, String key, byte[] content) {
        return send(request(filesPath(sandboxId, path), key).header("Content-Type", "application/octet-stream")
                .PUT(BodyPublishers.ofByteArray(content)));
    }

    public Reply getFile(String sandboxId, String path, String key) {
        return get(filesPath(sandboxId, path), key);
    }

    public static String filesPath(String sandboxId, String path) {
        return "/v1/sandboxes/" + sandboxId + "/files?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    public Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                    new String(r.body(), StandardCharsets.UTF_8), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The whole answer, headers included (Retry-After, Idempotent-Replayed, …). */
    public HttpResponse<String> exchange(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(90));
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }

    // ---- the calls the ITs repeat ----

    /** Admin creates a key; returns the create answer ({@code id}, {@code key}, {@code tier}, …). */
    public JsonNode createKey(String adminKey, String user, String tier) {
        Reply r = post("/v1/keys", adminKey, Map.of("user", user, "tier", tier));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    /** Submits {@code spec} and returns the 202 answer. */
    public JsonNode submit(String key, Map<String, ?> spec) {
        Reply r = post("/v1/jobs", key, spec);
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return r.json();
    }

    /** Long-polls the job until it has ended (each poll waits up to 30 s on the server). */
    public JsonNode awaitEnd(String key, String jobId) {
        for (int poll = 0; poll < 4; poll++) {
            Reply r = get("/v1/jobs/" + jobId + "?wait=30", key);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            if (TERMINAL.contains(r.json().path("state").asText())) {
                return r.json();
            }
        }
        throw new AssertionError("job " + jobId + " did not end within 2 minutes");
    }

    /** Submits {@code spec} and waits for its end. */
    public JsonNode run(String key, Map<String, ?> spec) {
        return awaitEnd(key, submit(key, spec).path("id").asText());
    }

    public JsonNode run(String key, String command) {
        return run(key, Map.of("command", command));
    }

    /** Runs {@code command} in {@code sandboxId} and returns the ended job. */
    public JsonNode runIn(String key, String sandboxId, String command) {
        return run(key, Map.of("command", command, "sandbox_id", sandboxId));
    }

    /** Creates a sandbox and returns its id (201 and {@code ready} expected). */
    public String createSandbox(String key, Map<String, ?> body) {
        Reply r = post("/v1/sandboxes", key, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("state").asText()).isEqualTo("ready");
        return r.json().path("id").asText();
    }

    public String createSandbox(String key) {
        return createSandbox(key, Map.of());
    }

    /** The {@code usage} part of GET /v1/quota/usage. */
    public JsonNode usage(String key) {
        Reply r = get("/v1/quota/usage", key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("usage");
    }

    /** Asserts {@code r} is an {@code application/problem+json} answer with {@code status}; returns its body. */
    public static JsonNode assertProblem(Reply r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("title").asText()).isNotBlank();
        assertThat(p.path("type").asText()).isNotBlank();
        return p;
    }

    /** Asserts a 400 problem whose {@code errors} name {@code field}. */
    public static void assertFieldError(Reply r, String field) {
        JsonNode p = assertProblem(r, 400);
        assertThat(p.path("errors").findValuesAsText("field")).as(r.toString()).contains(field);
    }
}
