package io.boxq.api.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.boxq.api.auth.Authenticator;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.api.problem.ProblemMapper;
import io.boxq.api.request.RequestBody;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.Secrets;
import io.boxq.core.job.JobSpec;
import io.boxq.core.redis.RedisJobStore;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/jobs/batch}: up to {@link #MAX_JOBS} jobs in one request, each validated and
 * queued exactly like a {@code POST /v1/jobs} (its own run slot or backlog place), each with its
 * own outcome, so one bad item does not sink the others. Items are queued in order.
 *
 * <p>The rate limiter counts a batch as one request: the per-key run slots and backlog still hold
 * every job. With an {@code Idempotency-Key}, item {@code i} is submitted under that key and its
 * index, so a retried batch gets the jobs it queued before back ({@code status} 200,
 * {@code replayed}) and queues only the items that had failed. Once an item finds Redis
 * unreachable, the rest are answered 503 without being tried.
 */
final class JobBatchRoute {
    static final int MAX_JOBS = 100;

    private final JobRequestParser parser;
    private final JobSubmitter submitter;

    JobBatchRoute(JobRequestParser parser, JobSubmitter submitter) {
        this.parser = parser;
        this.submitter = submitter;
    }

    /** One item's outcome: {@code job} for 202 (or 200 when replayed), else {@code problem}. */
    record ItemResult(int index, int status, Boolean replayed, JobView job, Problem problem) {}

    void submit(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        String idempotencyKey = JobRoutes.idempotencyKey(ctx);
        RequestBody b = RequestBody.parse(ctx.body(), Set.of("jobs"));
        ArrayNode jobs = b.array("jobs", 1, MAX_JOBS);
        b.validate();
        List<ItemResult> results = new ArrayList<>(jobs.size());
        Problem unreachable = null;
        for (int i = 0; i < jobs.size(); i++) {
            ItemResult result = unreachable == null ? submitOne(caller, i, jobs.get(i), idempotencyKey)
                    : new ItemResult(i, 503, null, null, unreachable);
            if (result.status() == 503 && unreachable == null) {
                // Without Redis every further item would wait for its own timeout: give them up at once.
                unreachable = Problem.of(503, "unavailable", "Service unavailable",
                        "not tried: the job store was unreachable for an earlier item; retry shortly");
                ctx.header("Retry-After", "5");
            }
            results.add(result);
        }
        ctx.json(Map.of("results", results));
    }

    private ItemResult submitOne(ApiKey caller, int index, JsonNode item, String idempotencyKey) {
        try {
            JobSpec spec = parser.parse(item).withDefaultCallbackUrl(caller.webhookUrl());
            // A space cannot occur in an Idempotency-Key, so these never meet a single submit's key.
            RedisJobStore.Idempotency idempotency = idempotencyKey == null ? null : new RedisJobStore.Idempotency(
                    Secrets.sha256(idempotencyKey + " " + index), Secrets.sha256(item.toString()));
            RedisJobStore.Submitted submitted = submitter.submit(caller, spec, idempotency);
            return submitted.replay()
                    ? new ItemResult(index, 200, true, JobView.of(submitted.job()), null)
                    : new ItemResult(index, 202, null, JobView.of(submitted.job()), null);
        } catch (RuntimeException e) {
            Problem problem = ProblemMapper.known(e).orElseThrow(() -> e);
            return new ItemResult(index, problem.status(), null, null, naming("jobs[" + index + "]", problem));
        }
    }

    /** The problem with its field names placed under the item: {@code command} → {@code jobs[1].command}. */
    static Problem naming(String item, Problem problem) {
        if (problem.errors() == null) {
            return problem;
        }
        return ProblemException.badRequest(problem.errors().stream()
                .map(e -> new Problem.FieldError(e.field().equals("body") ? item : item + "." + e.field(), e.message()))
                .toList()).problem();
    }
}
