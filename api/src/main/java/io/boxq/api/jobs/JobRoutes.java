package io.boxq.api.jobs;

import io.boxq.api.auth.Authenticator;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.Secrets;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.id.RandomIds;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobSpec;
import io.boxq.core.job.JobState;
import io.boxq.core.redis.RedisJobStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.util.Map;

/** {@code /v1/jobs}: submit (one, or a batch), read (with long-poll), list, cancel. */
public final class JobRoutes {
    static final int MAX_WAIT_SECONDS = 60;
    /** How long a cancel of a running job waits for its node to report the end. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

    private final RedisJobStore store;
    private final JobSubmitter submitter;
    private final JobBatchRoute batch;
    private final JobAwaiter awaiter;
    private final JobCanceller canceller;

    public JobRoutes(BoxqConfig config, RedisJobStore store, JobSubmitter submitter, JobAwaiter awaiter,
            JobCanceller canceller) {
        this.canceller = canceller;
        this.store = store;
        this.submitter = submitter;
        this.batch = new JobBatchRoute(new JobRequestParser(config), submitter);
        this.awaiter = awaiter;
    }

    public void register(Javalin app) {
        app.post("/v1/jobs", this::submit);
        app.post("/v1/jobs/batch", batch::submit);
        app.get("/v1/jobs", this::list);
        app.get("/v1/jobs/{id}", this::get);
        app.post("/v1/jobs/{id}/cancel", this::cancel);
    }

    private void submit(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        JobSpec spec = submitter.parse(caller, ctx.body());
        String idempotencyKey = idempotencyKey(ctx);
        RedisJobStore.Submitted submitted = submitter.submit(caller, spec, idempotencyKey == null ? null
                : new RedisJobStore.Idempotency(Secrets.sha256(idempotencyKey), Secrets.sha256(ctx.body())));
        Job job = submitted.job();
        if (submitted.replay()) {
            ctx.header("Idempotent-Replayed", "true").json(JobView.of(job));
            return;
        }
        ctx.status(HttpStatus.ACCEPTED).header("Location", "/v1/jobs/" + job.id()).json(JobView.of(job));
    }

    private void get(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        String id = ctx.pathParam("id");
        if (!RandomIds.looksLikeId(id, "job_")) {
            throw ProblemException.notFound("job");
        }
        int wait = intQuery(ctx, "wait", 0, 0, MAX_WAIT_SECONDS);
        Job job = wait == 0 ? store.get(id, caller.id()) : awaiter.await(id, caller.id(), Duration.ofSeconds(wait));
        ctx.json(JobView.of(job));
    }

    /**
     * Cancels a job: a queued one ends at once; a running one has its process group killed by its
     * node and ends {@code cancelled} with the output so far (this waits a little for that end).
     */
    private void cancel(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        String id = ctx.pathParam("id");
        if (!RandomIds.looksLikeId(id, "job_")) {
            throw ProblemException.notFound("job");
        }
        if (canceller.cancel(caller, id) == RedisJobStore.Cancel.ALREADY_ENDED) {
            Job job = store.get(id, caller.id());
            throw new ProblemException(Problem.of(409, "already-ended", "Job already ended",
                    "job " + id + " is " + job.state().wireName()));
        }
        ctx.json(JobView.of(awaiter.await(id, caller.id(), CANCEL_WAIT)));
    }

    /** The caller's Idempotency-Key header, or null without one. */
    static String idempotencyKey(Context ctx) {
        String key = ctx.header("Idempotency-Key");
        if (key != null && (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw ProblemException.badRequest("Idempotency-Key", "must be 1 to 255 printable ASCII characters");
        }
        return key;
    }

    private void list(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        String stateName = ctx.queryParam("state");
        JobState state = null;
        if (stateName != null) {
            try {
                state = JobState.fromWire(stateName);
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("state", "must be one of queued, running, succeeded, failed, "
                        + "timed_out, cancelled, error");
            }
        }
        int limit = intQuery(ctx, "limit", 50, 1, 100);
        long before = longQuery(ctx, "cursor", Long.MAX_VALUE);
        RedisJobStore.Page page = store.list(caller.id(), state, before, limit);
        ctx.json(Map.of("jobs", page.jobs().stream().map(JobView::of).toList(),
                "next_cursor", page.nextCursor() == null ? "" : page.nextCursor()));
    }

    static int intQuery(Context ctx, String name, int fallback, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProblemException.badRequest(name, "must be a whole number from " + min + " to " + max);
    }

    private static long longQuery(Context ctx, String name, long fallback) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name, "is not a cursor this server gave out");
        }
    }

}
