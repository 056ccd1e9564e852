package io.boxq.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boxq.client.errors.BoxqException;
import io.boxq.client.errors.ConnectionException;
import io.boxq.client.errors.Problems;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The one place the client speaks HTTP: the key on every request, JSON in and out, problem+json
 * turned into typed exceptions, and the retries. A {@code 429} or {@code 503} with a
 * {@code Retry-After} (up to {@link ClientOptions#maxRetryAfter()}) is sent again after that long;
 * a request that is safe to repeat (GET, PUT, DELETE, or one with an {@code Idempotency-Key}) is
 * also sent again when the connection fails. Internal to the client; its API may change.
 */
public final class Transport {
    private final HttpClient http;
    private final URI base;
    private final String apiKey;
    private final ClientOptions options;
    private final ObjectMapper json;

    public Transport(URI base, String apiKey, ClientOptions options, ObjectMapper json) {
        this.base = base;
        this.apiKey = apiKey;
        this.options = options;
        this.json = json;
        // HTTP/1.1: no h2c upgrade attempt, which proxies in front of boxq may not pass on.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.connectTimeout()).build();
    }

    public ObjectMapper json() {
        return json;
    }

    public ClientOptions options() {
        return options;
    }

    /** Sends {@code call} with retries; returns the 2xx answer's body, or throws the problem. */
    public byte[] send(Call call) {
        return exchange(call, HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    public JsonNode sendJson(Call call) {
        byte[] body = send(call);
        try {
            return body.length == 0 ? json.nullNode() : json.readTree(body);
        } catch (IOException e) {
            throw new BoxqException("the server answered " + call.path() + " with something that is not JSON", e);
        }
    }

    public <T> T sendJson(Call call, Class<T> type) {
        return json.convertValue(sendJson(call), type);
    }

    /** Opens a streaming answer (server-sent events): retries like {@link #send}, the caller reads and closes the body. */
    public HttpResponse<InputStream> open(Call call) {
        return exchange(call, HttpResponse.BodyHandlers.ofInputStream());
    }

    public byte[] toJson(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> HttpResponse<T> exchange(Call call, HttpResponse.BodyHandler<T> handler) {
        HttpRequest request = request(call);
        for (int attempt = 0; ; attempt++) {
            HttpResponse<T> response;
            try {
                response = http.send(request, handler);
            } catch (IOException e) {
                if (!call.repeatable() || attempt >= options.maxRetries()) {
                    throw new ConnectionException(call.method() + " " + call.path() + ": " + e, e);
                }
                pause(backoff(attempt));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BoxqException("interrupted", e);
            }
            int status = response.statusCode();
            if (status < 400) {
                return response;
            }
            byte[] body = drain(response.body());
            Optional<Duration> retryAfter = RetryAfter.parse(
                    response.headers().firstValue("Retry-After").orElse(null), Instant.now());
            if ((status == 429 || status == 503) && retryAfter.isPresent() && attempt < options.maxRetries()
                    && retryAfter.get().compareTo(options.maxRetryAfter()) <= 0) {
                pause(retryAfter.get());
                continue;
            }
            throw Problems.of(status, body, retryAfter.orElse(null), json);
        }
    }

    private HttpRequest request(Call call) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(call.path()))
                .header("Accept", call.accept())
                .timeout(call.timeout() == null ? options.requestTimeout() : call.timeout());
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        for (Map.Entry<String, String> h : call.headers().entrySet()) {
            b.header(h.getKey(), h.getValue());
        }
        if (call.body() == null) {
            b.method(call.method(), HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", call.contentType());
            b.method(call.method(), HttpRequest.BodyPublishers.ofByteArray(call.body()));
        }
        return b.build();
    }

    private static byte[] drain(Object body) {
        try {
            if (body instanceof byte[] bytes) {
                return bytes;
            }
            if (body instanceof InputStream in) {
                try (in) {
                    return in.readNBytes(1 << 20);
                }
            }
            return new byte[0];
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private Duration backoff(int attempt) {
        long ms = Math.min(options.maxRetryAfter().toMillis(), 250L << Math.min(attempt, 6));
        return Duration.ofMillis(ms);
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BoxqException("interrupted while waiting to retry", e);
        }
    }
}
