package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
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

/** Real HTTP/1.1 against a boxq api: the answer with its headers, and the few calls the tenancy ITs repeat. */
final class Api {
    static final Set<String> TERMINAL = Set.of("succeeded", "failed", "timed_out", "cancelled", "error");

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    Api(URI base) {
        this.base = base;
    }

    /** One HTTP answer, body kept as bytes (file downloads are binary). */
    record Reply(int status, HttpHeaders headers, byte[] bytes) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        JsonNode json() {
            try {
                return Json.mapper().readTree(bytes);
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON (" + status + "): " + body(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return status + " " + body();
        }
    }

    Reply get(String path, String key) {
        return send(request(path, key).GET());
    }

    Reply delete(String path, String key) {
        return send(request(path, key).DELETE());
    }

    Reply post(String path, String key, Map<String, ?> body) {
        return send(request(path, key).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(Json.write(body))));
    }

    Reply patch(String path, String key, Map<String, ?> body) {
        return send(request(path, key).header("Content-Type", "application/json")
                .method("PATCH", BodyPublishers.ofString(Json.write(body))));
    }

    Reply putFile(String sandboxId, String path, String key, byte[] content) {
        return send(request(filesPath(sandboxId, path), key).header("Content-Type", "application/octet-stream")
                .PUT(BodyPublishers.ofByteArray(content)));
    }

    Reply getFile(String sandboxId, String path, String key) {
        return get(filesPath(sandboxId, path), key);
    }

    static String filesPath(String sandboxId, String path) {
        return "/v1/sandboxes/" + sandboxId + "/files?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(90));
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }

    // ---- the calls the ITs repeat ----

    /** Admin makes a key for {@code user}; returns the create answer ({@code id}, {@code key}, ...). */
    JsonNode createKey(String adminKey, String user, String tier) {
        Reply r = post("/v1/keys", adminKey, Map.of("user", user, "tier", tier));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    /** Creates a sandbox and returns its id (201 expected). */
    String createSandbox(String key, Map<String, ?> body) {
        Reply r = post("/v1/sandboxes", key, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("state").asText()).isEqualTo("ready");
        return r.json().path("id").asText();
    }

    String createSandbox(String key) {
        return createSandbox(key, Map.of());
    }

    JsonNode submit(String key, Map<String, ?> spec) {
        Reply r = post("/v1/jobs", key, spec);
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return r.json();
    }

    /** Long-polls the job until it has ended. */
    JsonNode awaitEnd(String key, String jobId) {
        for (int poll = 0; poll < 4; poll++) {
            Reply r = get("/v1/jobs/" + jobId + "?wait=30", key);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            if (TERMINAL.contains(r.json().path("state").asText())) {
                return r.json();
            }
        }
        throw new AssertionError("job " + jobId + " did not end within 2 minutes");
    }

    /** Runs {@code command} in {@code sandboxId} and returns the ended job. */
    JsonNode runIn(String key, String sandboxId, String command) {
        return awaitEnd(key, submit(key, Map.of("command", command, "sandbox_id", sandboxId)).path("id").asText());
    }

    JsonNode run(String key, String command) {
        return awaitEnd(key, submit(key, Map.of("command", command)).path("id").asText());
    }

    /** The {@code usage} part of GET /v1/quota/usage. */
    JsonNode usage(String key) {
        Reply r = get("/v1/quota/usage", key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("usage");
    }

    /** Asserts {@code r} is an {@code application/problem+json} answer with {@code status}; returns its body. */
    static JsonNode assertProblem(Reply r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("title").asText()).isNotBlank();
        assertThat(p.path("type").asText()).isNotBlank();
        return p;
    }

    /** Asserts a 400 problem whose {@code errors} name {@code field}. */
    static void assertFieldError(Reply r, String field) {
        JsonNode p = assertProblem(r, 400);
        assertThat(p.path("errors").findValuesAsText("field")).as(r.toString()).contains(field);
    }
}
