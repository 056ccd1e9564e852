package io.boxq.core.auth;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Limits set on one API key that replace its tier's; null means "the tier's value". A key with its
 * own memory gets containers of its own shape; {@code runtimes} (its default first) replaces the
 * tier's runtimes.
 */
public record KeyOverrides(Integer maxSandboxes, Long memoryBytes, Integer concurrentJobs, Integer requestsPerMinute,
        List<String> runtimes) {
    public static final KeyOverrides NONE = new KeyOverrides(null, null, null, null, null);

    public KeyOverrides {
        runtimes = runtimes == null ? null : List.copyOf(runtimes);
    }

    public KeyOverrides(Integer maxSandboxes, Long memoryBytes, Integer concurrentJobs, Integer requestsPerMinute) {
        this(maxSandboxes, memoryBytes, concurrentJobs, requestsPerMinute, null);
    }

    /** One of the limits a key may override, by the field that holds it in the key's hash. */
    public enum Limit {
        MAX_SANDBOXES("max_sandboxes"),
        MEMORY("memory_bytes"),
        CONCURRENT_JOBS("concurrent_jobs"),
        REQUESTS_PER_MINUTE("requests_per_minute"),
        RUNTIMES("runtimes");

        final String field;

        Limit(String field) {
            this.field = field;
        }
    }

    public boolean isEmpty() {
        return maxSandboxes == null && memoryBytes == null && concurrentJobs == null && requestsPerMinute == null
                && runtimes == null;
    }

    Map<String, String> toHash() {
        Map<String, String> h = new HashMap<>();
        put(h, "max_sandboxes", maxSandboxes);
        put(h, "memory_bytes", memoryBytes);
        put(h, "concurrent_jobs", concurrentJobs);
        put(h, "requests_per_minute", requestsPerMinute);
        if (runtimes != null) {
            h.put("runtimes", String.join(",", runtimes));
        }
        return h;
    }

    static KeyOverrides fromHash(Map<String, String> h) {
        return new KeyOverrides(integer(h.get("max_sandboxes")),
                h.get("memory_bytes") == null ? null : Long.valueOf(h.get("memory_bytes")),
                integer(h.get("concurrent_jobs")), integer(h.get("requests_per_minute")),
                h.get("runtimes") == null ? null : List.of(h.get("runtimes").split(",")));
    }

    private static Integer integer(String v) {
        return v == null ? null : Integer.valueOf(v);
    }

    private static void put(Map<String, String> h, String field, Number value) {
        if (value != null) {
            h.put(field, value.toString());
        }
    }
}
