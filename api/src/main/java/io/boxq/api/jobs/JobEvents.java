package io.boxq.api.jobs;

import io.boxq.api.auth.Authenticator;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.id.RandomIds;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobNotFoundException;
import io.boxq.core.job.OutputChunk;
import io.boxq.core.redis.RedisJobOutput;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.redis.StoreUnavailableException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/jobs/{id}/events}: a job's stdout and stderr as server-sent events while it runs
 * ({@code stdout}, {@code stderr}: {@code {"offset", "data"}} with the bytes in base64), then one
 * {@code result} event with the job as {@code GET /v1/jobs/{id}} shows it, then the end. It follows
 * the job's live output stream ({@link RedisJobOutput}) from its start, and takes whatever that
 * stream lacks (a short job writes none) from the result, so a client that comes late still gets
 * every byte once. A queued job's stream waits, with comments as keepalives.
 */
public final class JobEvents {
    private static final Logger log = LoggerFactory.getLogger(JobEvents.class);
    /** How long one read waits for new output before the job's state is read again. */
    static final Duration BLOCK = Duration.ofSeconds(2);
    static final Duration KEEPALIVE = Duration.ofSeconds(10);
    /** Readers that may wait inside Redis at once (each holds a connection); the others poll. */
    static final int MAX_BLOCKED_READERS = 16;
    private static final Duration POLL = Duration.ofMillis(250);
    private static final int BATCH = 100;
    private static final int MAX_EVENT_BYTES = 64 * 1024;

    private final RedisJobStore store;
    private final RedisJobOutput output;
    private final Semaphore blockedReaders = new Semaphore(MAX_BLOCKED_READERS);

    public JobEvents(RedisJobStore store, RedisJobOutput output) {
        this.store = store;
        this.output = output;
    }

    public void register(Javalin app) {
        app.get("/v1/jobs/{id}/events", this::stream);
    }

    private void stream(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        String id = ctx.pathParam("id");
        if (!RandomIds.looksLikeId(id, "job_")) {
            throw ProblemException.notFound("job");
        }
        OutputPosition position = OutputPosition.of(ctx.header("Last-Event-ID"));
        Job job = store.get(id, caller.id());
        if (!job.state().isTerminal()) {
            output.watch(id); // before the state is read again: an end after this wakes the reads below
            job = store.get(id, caller.id());
        }
        ctx.status(200).contentType("text/event-stream").header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no");
        try {
            EventStreamWriter events = new EventStreamWriter(ctx.res().getOutputStream());
            events.comment("job " + id + " is " + job.state().wireName());
            Job ended = follow(job, caller.id(), position, events);
            for (OutputChunk.Stream s : OutputChunk.Stream.values()) {
                send(events, position, rest(ended.result(), s, position));
            }
            events.event("result", null, ctx.jsonMapper().toJsonString(JobView.of(ended), JobView.class));
        } catch (IOException e) {
            log.debug("job {}: the events client went away: {}", id, e.getMessage());
        } catch (StoreUnavailableException | JobNotFoundException e) {
            log.debug("job {}: events stream ended early: {}", id, e.getMessage()); // the client may resume
        }
    }

    /** Sends the output chunks as they come until the job has ended; returns the ended job. */
    private Job follow(Job job, String keyId, OutputPosition position, EventStreamWriter events) throws IOException {
        String cursor = RedisJobOutput.START;
        while (true) {
            boolean ended = job.state().isTerminal(); // all its chunks were stored before its end
            List<RedisJobOutput.Entry> entries = read(job.id(), cursor, ended);
            for (RedisJobOutput.Entry e : entries) {
                cursor = e.id();
                if (e.chunk() != null) {
                    send(events, position, position.take(e.chunk()));
                }
            }
            if (ended && entries.isEmpty()) {
                return job;
            }
            if (!ended && events.idleNanos() >= KEEPALIVE.toNanos()) {
                events.comment("keepalive");
            }
            if (entries.isEmpty() || entries.getLast().chunk() == null) {
                job = store.get(job.id(), keyId);
            }
        }
    }

    /** The entries after {@code cursor}: waits for them while the job runs, at most {@link #BLOCK}. */
    private List<RedisJobOutput.Entry> read(String jobId, String cursor, boolean ended) {
        if (ended) {
            return output.read(jobId, cursor, BATCH, Duration.ZERO);
        }
        if (blockedReaders.tryAcquire()) {
            try {
                return output.read(jobId, cursor, BATCH, BLOCK);
            } finally {
                blockedReaders.release();
            }
        }
        List<RedisJobOutput.Entry> entries = output.read(jobId, cursor, BATCH, Duration.ZERO);
        if (entries.isEmpty()) {
            sleep(POLL);
        }
        return entries;
    }

    private static OutputChunk rest(CommandResult result, OutputChunk.Stream stream, OutputPosition position) {
        if (result == null) {
            return null;
        }
        return position.rest(stream, stream == OutputChunk.Stream.STDOUT ? result.stdout() : result.stderr());
    }

    /** One event per 64 KiB of the chunk, each with the position after it as its id. */
    private static void send(EventStreamWriter events, OutputPosition position, OutputChunk chunk) throws IOException {
        if (chunk == null) {
            return;
        }
        byte[] data = chunk.data();
        for (int from = 0; from < data.length; from += MAX_EVENT_BYTES) {
            byte[] piece = Arrays.copyOfRange(data, from, Math.min(data.length, from + MAX_EVENT_BYTES));
            long offset = chunk.offset() + from;
            events.event(chunk.stream().wireName(), position.idAt(chunk.stream(), offset + piece.length),
                    "{\"offset\":" + offset + ",\"data\":\"" + Base64.getEncoder().encodeToString(piece) + "\"}");
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
