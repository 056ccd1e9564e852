package io.boxq.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import io.boxq.server.BoxqClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A client of {@code GET /v1/jobs/{id}/events} that reads the stream on its own thread and keeps
 * every event (and comment) with the time it came, as a browser's EventSource would see them.
 */
final class EventStreamClient implements AutoCloseable {
    /** One event as received. */
    record Event(String name, String id, String data, long atNanos) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The bytes of an output event. */
        byte[] bytes() {
            return Base64.getDecoder().decode(json().path("data").asText());
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final int status;
    final String contentType;
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<String> comments = new CopyOnWriteArrayList<>();
    private final Stream<String> lines;
    private final Thread reader;
    private volatile boolean closedByServer;

    private EventStreamClient(HttpResponse<Stream<String>> response) {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("Content-Type").orElse("");
        this.lines = response.body();
        this.reader = Thread.ofVirtual().start(this::read);
    }

    /** Connects; {@code lastEventId} may be null. */
    static EventStreamClient open(BoxqClient client, String key, String jobId, String lastEventId) {
        var request = client.request("/v1/jobs/" + jobId + "/events", key).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            return new EventStreamClient(HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        String name = "message";
        String id = null;
        StringBuilder data = new StringBuilder();
        try {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(name, id, data.toString(), System.nanoTime()));
                    }
                    name = "message";
                    id = null;
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    comments.add(line.substring(1).strip());
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
            closedByServer = true;
        } catch (UncheckedIOException e) {
            // closed by us
        }
    }

    /** True once the server ended the stream. */
    boolean ended() {
        return closedByServer;
    }

    List<Event> named(String name) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    /** The bytes of every event of {@code stream}, checking that each begins where the last ended. */
    byte[] joined(String stream) {
        return joinedFrom(stream, 0);
    }

    /** Like {@link #joined}, for a stream whose first event must begin at {@code start}. */
    byte[] joinedFrom(String stream, long start) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Event e : named(stream)) {
            if (e.json().path("offset").asLong() != start + out.size()) {
                throw new AssertionError(stream + " event at offset " + e.json().path("offset") + " after "
                        + (start + out.size()) + " bytes");
            }
            out.writeBytes(e.bytes());
        }
        return out.toByteArray();
    }

    void awaitEnd(Duration timeout) throws InterruptedException {
        reader.join(timeout);
    }

    @Override
    public void close() {
        lines.close();
        reader.interrupt();
    }
}
