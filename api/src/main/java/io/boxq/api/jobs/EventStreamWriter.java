package io.boxq.api.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events on a response body: events with a name, an optional id and one line of data,
 * and comments (keepalives). Each is flushed at once. Ids and data never hold a newline here (JSON
 * without line breaks, ids of digits), so every field is one line.
 */
final class EventStreamWriter {
    private final OutputStream out;
    private long lastWriteNanos = System.nanoTime();

    EventStreamWriter(OutputStream out) {
        this.out = out;
    }

    /** @throws IOException when the client went away */
    void event(String name, String id, String data) throws IOException {
        StringBuilder sb = new StringBuilder(data.length() + 64).append("event: ").append(name).append('\n');
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        sb.append("data: ").append(data).append("\n\n");
        write(sb.toString());
    }

    /** @throws IOException when the client went away */
    void comment(String text) throws IOException {
        write(": " + text + "\n\n");
    }

    /** Nanoseconds since the last event or comment. */
    long idleNanos() {
        return System.nanoTime() - lastWriteNanos;
    }

    private void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        lastWriteNanos = System.nanoTime();
    }
}
