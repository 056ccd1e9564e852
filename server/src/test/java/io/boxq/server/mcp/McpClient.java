package io.boxq.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import io.boxq.server.BoxqClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an MCP client does over Streamable HTTP, as raw JSON-RPC on java.net.http: initialize (keeping
 * the {@code Mcp-Session-Id} it gets), then requests and notifications in that session.
 */
final class McpClient {
    static final String ACCEPT_BOTH = "application/json, text/event-stream";

    private final BoxqClient http;
    private final URI endpoint;
    private final String key;
    private final AtomicInteger ids = new AtomicInteger();
    private String sessionId;

    McpClient(URI base, String key) {
        this.http = new BoxqClient(base);
        this.endpoint = base.resolve("/mcp");
        this.key = key;
    }

    String sessionId() {
        return sessionId;
    }

    /** Uses another session id (someone else's, an ended one). */
    void useSession(String id) {
        this.sessionId = id;
    }

    /** initialize, then notifications/initialized; returns the initialize result. */
    JsonNode initialize() {
        HttpResponse<String> r = post(Json.write(Map.of("jsonrpc", "2.0", "id", ids.incrementAndGet(),
                "method", "initialize", "params", Map.of("protocolVersion", "2025-06-18", "capabilities", Map.of(),
                        "clientInfo", Map.of("name", "boxq-it", "version", "1")))), ACCEPT_BOTH);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        sessionId = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> initialized = post(Json.write(Map.of("jsonrpc", "2.0",
                "method", "notifications/initialized")), ACCEPT_BOTH);
        assertThat(initialized.statusCode()).as(initialized.body()).isEqualTo(202);
        assertThat(initialized.body()).isEmpty();
        return json(r.body()).path("result");
    }

    /** A request in the session; the whole JSON-RPC response. */
    JsonNode request(String method, Map<String, ?> params) {
        HttpResponse<String> r = post(requestBody(method, params), ACCEPT_BOTH);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return json(r.body());
    }

    /** tools/call; the tool result ({@code content}, {@code structuredContent}, {@code isError}). */
    JsonNode call(String tool, Map<String, ?> arguments) {
        JsonNode response = request("tools/call", Map.of("name", tool, "arguments", arguments));
        assertThat(response.has("error")).as(response.toString()).isFalse();
        return response.path("result");
    }

    /** tools/call that must succeed; its structured content. */
    JsonNode ok(String tool, Map<String, ?> arguments) {
        JsonNode result = call(tool, arguments);
        assertThat(result.path("isError").asBoolean()).as(result.toString()).isFalse();
        JsonNode structured = result.path("structuredContent");
        assertThat(json(result.path("content").get(0).path("text").asText())).isEqualTo(structured);
        return structured;
    }

    String requestBody(String method, Map<String, ?> params) {
        return Json.write(Map.of("jsonrpc", "2.0", "id", ids.incrementAndGet(), "method", method, "params", params));
    }

    HttpResponse<String> post(String body, String accept) {
        return post(body, accept, Map.of());
    }

    HttpResponse<String> post(String body, String accept, Map<String, String> headers) {
        HttpRequest.Builder b = base().header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (accept != null) {
            b.header("Accept", accept);
        }
        headers.forEach(b::header);
        return send(b);
    }

    HttpResponse<String> delete() {
        return send(base().DELETE());
    }

    HttpResponse<String> get() {
        return send(base().header("Accept", "text/event-stream").GET());
    }

    private HttpRequest.Builder base() {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(90));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId);
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return http.exchange(request);
    }

    static JsonNode json(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
