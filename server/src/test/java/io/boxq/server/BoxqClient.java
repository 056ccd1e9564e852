package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Real HTTP against a boxq api, with the few calls the ITs repeat (create a key, run a command). */
public final class BoxqClient {
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "timed_out", "cancelled", "error");

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public BoxqClient(URI base) {
        this.base = base;
    }

    public URI base() {
        return base;
    }

    /** One HTTP answer; {@link #json()} parses the body. */
    public record Reply(int status, String contentType, String body) {
        public JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
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
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Reply post(String path, String key, Map<String, ?> body) {
        return post(path, key, Json.write(body));
    }

    public Reply send(HttpRequest.Builder request) {
        HttpResponse<String> r = exchange(request);
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
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
}
