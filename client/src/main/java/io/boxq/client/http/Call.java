package io.boxq.client.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request to send: method, path with its query, body, headers and an optional timeout of its
 * own (a long-poll waits longer than a plain call). {@link #repeatable()} says whether sending it
 * twice is harmless.
 */
public record Call(String method, String path, byte[] body, String contentType, String accept,
        Map<String, String> headers, Duration timeout) {

    public Call {
        headers = Map.copyOf(headers);
    }

    public static Call get(String path) {
        return new Call("GET", path, null, null, "application/json", Map.of(), null);
    }

    public static Call delete(String path) {
        return new Call("DELETE", path, null, null, "application/json", Map.of(), null);
    }

    public static Call post(String path, byte[] json) {
        return new Call("POST", path, json, "application/json", "application/json", Map.of(), null);
    }

    public static Call patch(String path, byte[] json) {
        return new Call("PATCH", path, json, "application/json", "application/json", Map.of(), null);
    }

    public static Call put(String path, byte[] bytes, String contentType) {
        return new Call("PUT", path, bytes, contentType, "application/json", Map.of(), null);
    }

    public Call header(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Call(method, path, body, contentType, accept, h, timeout);
    }

    public Call accept(String type) {
        return new Call(method, path, body, contentType, type, headers, timeout);
    }

    public Call timeout(Duration t) {
        return new Call(method, path, body, contentType, accept, headers, t);
    }

    public boolean repeatable() {
        return !method.equals("POST") && !method.equals("PATCH") || headers.containsKey("Idempotency-Key");
    }

    /** {@code value} escaped for a query string. */
    public static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
