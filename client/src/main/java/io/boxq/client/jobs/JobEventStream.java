package io.boxq.client.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.client.errors.BoxqException;
import io.boxq.client.errors.ConnectionException;
import io.boxq.client.http.Call;
import io.boxq.client.http.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A job's live output ({@code GET /v1/jobs/{id}/events}, server-sent events), ending with its
 * result. When the connection drops before the result, the stream connects again with the last
 * event's id as {@code Last-Event-ID}; it also keeps each stream's byte count itself and cuts away
 * any byte it has already handed out, so a resumed stream has no gap and no duplicate. It gives up
 * after {@code maxReconnects} connections in a row that brought nothing new.
 */
public final class JobEventStream implements Iterator<JobEvent>, Iterable<JobEvent>, AutoCloseable {
    private final Transport transport;
    private final String jobId;
    private final int maxReconnects;
    private String lastEventId;
    private long stdoutBytes;
    private long stderrBytes;
    private InputStream body;
    private BufferedReader reader;
    private JobEvent next;
    private boolean done;
    private int fruitless;

    JobEventStream(Transport transport, String jobId, String lastEventId, int maxReconnects) {
        this.transport = transport;
        this.jobId = jobId;
        this.lastEventId = lastEventId;
        this.maxReconnects = maxReconnects;
        if (lastEventId != null) {
            String[] at = lastEventId.split("\\.");
            stdoutBytes = Long.parseLong(at[0]);
            stderrBytes = at.length > 1 ? Long.parseLong(at[1]) : 0;
        }
    }

    /** The id of the last output event handed out: pass it to {@code events(id, lastEventId)} to resume later. */
    public String lastEventId() {
        return lastEventId;
    }

    @Override
    public Iterator<JobEvent> iterator() {
        return this;
    }

    @Override
    public boolean hasNext() {
        while (next == null && !done) {
            next = read();
        }
        return next != null;
    }

    @Override
    public JobEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the job's result was the last event");
        }
        JobEvent e = next;
        next = null;
        return e;
    }

    @Override
    public void close() {
        done = true;
        disconnect();
    }

    /** The next event, or null when a connection ended without one (the caller loops). */
    private JobEvent read() {
        if (reader == null) {
            connect();
        }
        String event = null;
        String id = null;
        StringBuilder data = new StringBuilder();
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (event != null || !data.isEmpty()) {
                        JobEvent e = dispatch(event, id, data.toString());
                        if (e != null) {
                            return e;
                        }
                    }
                    event = null;
                    id = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    event = field(line);
                } else if (line.startsWith("id:")) {
                    id = field(line);
                } else if (line.startsWith("data:")) {
                    data.append(data.isEmpty() ? "" : "\n").append(field(line));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // dropped: connect again below, from the last whole event
        }
        disconnect();
        if (!done && ++fruitless > maxReconnects) {
            throw new ConnectionException("events of " + jobId + ": the connection dropped " + fruitless
                    + " times in a row without new events", null);
        }
        return null;
    }

    private JobEvent dispatch(String event, String id, String data) throws IOException {
        if ("result".equals(event)) {
            done = true;
            disconnect();
            return new JobEvent.Result(transport.json().readValue(data, Job.class));
        }
        if (!"stdout".equals(event) && !"stderr".equals(event)) {
            return null;
        }
        JsonNode chunk = transport.json().readTree(data);
        long offset = chunk.path("offset").asLong();
        byte[] bytes = Base64.getDecoder().decode(chunk.path("data").asText());
        boolean out = event.equals("stdout");
        long have = out ? stdoutBytes : stderrBytes;
        long end = offset + bytes.length;
        if (id != null) {
            lastEventId = id;
        }
        if (end <= have) {
            return null; // all of it handed out before the drop
        }
        if (offset < have) {
            bytes = Arrays.copyOfRange(bytes, (int) (have - offset), bytes.length);
            offset = have;
        }
        if (out) {
            stdoutBytes = end;
        } else {
            stderrBytes = end;
        }
        fruitless = 0;
        return new JobEvent.Output(event, offset, bytes, id);
    }

    private void connect() {
        Call call = Call.get("/v1/jobs/" + Call.q(jobId) + "/events").accept("text/event-stream")
                .timeout(Duration.ofSeconds(30));
        if (lastEventId != null) {
            call = call.header("Last-Event-ID", lastEventId);
        }
        try {
            body = transport.open(call).body();
        } catch (BoxqException e) {
            done = true;
            throw e;
        }
        reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    private void disconnect() {
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                // closing a dropped connection
            }
        }
        body = null;
        reader = null;
    }

    private static String field(String line) {
        String v = line.substring(line.indexOf(':') + 1);
        return v.startsWith(" ") ? v.substring(1) : v;
    }
}
