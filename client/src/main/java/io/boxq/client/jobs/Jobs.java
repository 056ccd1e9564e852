package io.boxq.client.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.client.errors.Problems;
import io.boxq.client.http.Call;
import io.boxq.client.http.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Jobs: submit, wait, follow, cancel, list. Every submit carries an {@code Idempotency-Key} (a new
 * one unless given), so the retries of the transport never queue a job twice.
 */
public final class Jobs {
    /** The longest one long-poll may wait (the server's limit). */
    public static final Duration MAX_POLL = Duration.ofSeconds(60);
    /** How long {@link #run(String)} waits in all. */
    public static final Duration DEFAULT_RUN_WAIT = Duration.ofMinutes(5);

    private final Transport transport;

    public Jobs(Transport transport) {
        this.transport = transport;
    }

    public Job submit(String command) {
        return submit(JobRequest.of(command));
    }

    public Job submit(JobRequest request) {
        return submit(request, UUID.randomUUID().toString());
    }

    /** Submits under {@code idempotencyKey}: the same key and body give back the first job instead of a second. */
    public Job submit(JobRequest request, String idempotencyKey) {
        return transport.sendJson(Call.post("/v1/jobs", transport.toJson(request))
                .header("Idempotency-Key", idempotencyKey), Job.class);
    }

    /** Submits {@code command} and waits for its end, up to {@link #DEFAULT_RUN_WAIT}. */
    public Job run(String command) {
        return run(JobRequest.of(command), DEFAULT_RUN_WAIT);
    }

    /**
     * Submits and long-polls until the job ends or {@code total} has passed, whatever its length
     * (one poll waits at most a minute). The job is returned either way: check {@link Job#ended()}.
     */
    public Job run(JobRequest request, Duration total) {
        Job job = submit(request);
        return await(job.id(), total);
    }

    /** The job as it is now. */
    public Job get(String id) {
        return transport.sendJson(Call.get(path(id)), Job.class);
    }

    /** Long-polls until the job ends or {@code total} has passed; returns it as it then is. */
    public Job await(String id, Duration total) {
        Instant deadline = Instant.now().plus(total);
        while (true) {
            Duration left = Duration.between(Instant.now(), deadline);
            long wait = Math.max(0, Math.min(MAX_POLL.toSeconds(), left.toSeconds()));
            Job job = transport.sendJson(Call.get(path(id) + "?wait=" + wait)
                    .timeout(transport.options().requestTimeout().plusSeconds(wait)), Job.class);
            if (job.ended() || wait == 0) {
                return job;
            }
        }
    }

    /** The job's live output, then its result; resumes by itself after a dropped connection. */
    public JobEventStream events(String id) {
        return events(id, null);
    }

    /** Like {@link #events(String)}, starting after the event {@code lastEventId} (from an earlier stream). */
    public JobEventStream events(String id, String lastEventId) {
        return new JobEventStream(transport, id, lastEventId, transport.options().maxRetries());
    }

    /** Cancels a queued or running job; a {@code 409} {@link io.boxq.client.errors.ConflictException} once it ended. */
    public Job cancel(String id) {
        return transport.sendJson(Call.post(path(id) + "/cancel", null), Job.class);
    }

    /** One page of the key's jobs, newest first; {@code state} and {@code cursor} may be null. */
    public JobPage page(String state, int limit, String cursor) {
        StringBuilder q = new StringBuilder("/v1/jobs?limit=").append(limit);
        if (state != null) {
            q.append("&state=").append(Call.q(state));
        }
        if (cursor != null) {
            q.append("&cursor=").append(Call.q(cursor));
        }
        JsonNode page = transport.sendJson(Call.get(q.toString()));
        List<Job> jobs = new ArrayList<>();
        for (JsonNode j : page.path("jobs")) {
            jobs.add(transport.json().convertValue(j, Job.class));
        }
        String next = page.path("next_cursor").asText(null);
        return new JobPage(jobs, next == null || next.isEmpty() ? null : next);
    }

    /** All the key's jobs (in {@code state}, if not null), newest first, fetched page by page as the stream is read. */
    public Stream<Job> list(String state) {
        return list(state, 100);
    }

    /** Like {@link #list(String)}, asking {@code pageSize} jobs (1 to 100) per request. */
    public Stream<Job> list(String state, int pageSize) {
        Iterator<Job> all = new Iterator<>() {
            private Iterator<Job> current = List.<Job>of().iterator();
            private String cursor;
            private boolean last;

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && !last) {
                    JobPage p = page(state, pageSize, cursor);
                    current = p.jobs().iterator();
                    cursor = p.nextCursor();
                    last = cursor == null;
                }
                return current.hasNext();
            }

            @Override
            public Job next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(all, Spliterator.ORDERED), false);
    }

    /** Submits 1 to 100 jobs in one request; each gets its own outcome. */
    public List<BatchItem> batch(List<JobRequest> requests) {
        return batch(requests, UUID.randomUUID().toString());
    }

    public List<BatchItem> batch(List<JobRequest> requests, String idempotencyKey) {
        JsonNode answer = transport.sendJson(Call.post("/v1/jobs/batch", transport.toJson(Map.of("jobs", requests)))
                .header("Idempotency-Key", idempotencyKey));
        List<BatchItem> items = new ArrayList<>();
        for (JsonNode r : answer.path("results")) {
            JsonNode job = r.get("job");
            JsonNode problem = r.get("problem");
            items.add(new BatchItem(r.path("index").asInt(), r.path("status").asInt(),
                    job == null || job.isNull() ? null : transport.json().convertValue(job, Job.class),
                    problem == null || problem.isNull() ? null : Problems.of(problem, null),
                    r.path("replayed").asBoolean(false)));
        }
        return items;
    }

    /** Every webhook attempt for the job, and the next one. */
    public JsonNode deliveries(String id) {
        return transport.sendJson(Call.get(path(id) + "/deliveries"));
    }

    private static String path(String id) {
        return "/v1/jobs/" + Call.q(id);
    }
}
