package io.boxq.core.redis;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A message on the {@code done} channel: the id of a job that ended, and, from {@code complete.lua}
 * when the result is small, the fields its end changed (the result, and the {@code node},
 * {@code attempt} and {@code started_at} its start set), so that a waiter that read the job before
 * it ended can answer without reading it again. Format: {@code <id>} alone, or {@code <id>\n}
 * followed by {@code <length>:<name><length>:<value>} per field (lengths in bytes; names and values
 * are ASCII: ids, numbers, states, base64).
 *
 * @param fields the changed fields; empty when the message carried none (the waiter reads the job)
 */
public record JobEnd(String jobId, Map<String, String> fields) {
    /** Result fields (stdout and stderr in base64 included) longer than this are not carried. */
    public static final int MAX_CARRIED_BYTES = 8192;

    public JobEnd {
        fields = Map.copyOf(fields);
    }

    /** The message as published; a malformed field list reads as none. */
    public static JobEnd parse(String message) {
        int nl = message.indexOf('\n');
        if (nl < 0) {
            return new JobEnd(message, Map.of());
        }
        return new JobEnd(message.substring(0, nl), fieldsOf(message, nl + 1).orElse(Map.of()));
    }

    private static Optional<Map<String, String>> fieldsOf(String m, int at) {
        Map<String, String> fields = new HashMap<>();
        String name = null;
        while (at < m.length()) {
            int colon = m.indexOf(':', at);
            if (colon < 0 || colon - at > 9) {
                return Optional.empty();
            }
            int length;
            try {
                length = Integer.parseInt(m, at, colon, 10);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            int end = colon + 1 + length;
            if (length < 0 || end > m.length()) {
                return Optional.empty();
            }
            String text = m.substring(colon + 1, end);
            if (name == null) {
                name = text;
            } else {
                fields.put(name, text);
                name = null;
            }
            at = end;
        }
        return name == null && fields.containsKey("state") ? Optional.of(fields) : Optional.empty();
    }

    /** The job's fields after this end: {@code before} (read earlier) with the changed ones put in. */
    public Map<String, String> applyTo(Map<String, String> before) {
        Map<String, String> after = new HashMap<>(before);
        after.putAll(fields);
        return after;
    }
}
