package io.boxq.api.problem;

import io.boxq.core.job.JobNotFoundException;
import io.boxq.core.json.Json;
import io.boxq.core.redis.IdempotencyConflictException;
import io.boxq.core.redis.StoreUnavailableException;
import io.boxq.core.redis.WriteNotAcknowledgedException;
import io.boxq.core.sandbox.QuotaExceededException;
import io.boxq.core.sandbox.SandboxEndedException;
import io.boxq.core.sandbox.SandboxNotFoundException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place exceptions become HTTP answers: always {@code application/problem+json}, never a
 * stack trace. Unexpected exceptions are logged with an id the client also gets.
 */
public final class ProblemMapper {
    private static final Logger log = LoggerFactory.getLogger(ProblemMapper.class);

    private ProblemMapper() {}

    public static void register(Javalin app) {
        app.exception(ProblemException.class, (e, ctx) -> write(ctx, e.problem()));
        app.exception(JobNotFoundException.class, (e, ctx) -> write(ctx, known(e).orElseThrow()));
        app.exception(SandboxNotFoundException.class, (e, ctx) -> write(ctx, known(e).orElseThrow()));
        app.exception(SandboxEndedException.class, (e, ctx) -> write(ctx, known(e).orElseThrow()));
        app.exception(QuotaExceededException.class, (e, ctx) -> write(ctx, known(e).orElseThrow()));
        app.exception(IdempotencyConflictException.class, (e, ctx) -> write(ctx, known(e).orElseThrow()));
        app.exception(StoreUnavailableException.class, (e, ctx) -> {
            ctx.header("Retry-After", "5");
            write(ctx, known(e).orElseThrow());
        });
        app.exception(HttpResponseException.class, (e, ctx) -> write(ctx, fromStatus(e.getStatus(), e.getMessage())));
        app.exception(Exception.class, (e, ctx) -> {
            String ref = Long.toHexString(System.nanoTime());
            log.error("unhandled error {} on {} {}", ref, ctx.method(), ctx.path(), e);
            write(ctx, Problem.of(500, "internal", "Internal error", "an unexpected error happened (ref " + ref + ")"));
        });
        app.error(404, ctx -> {
            String type = ctx.res().getContentType();
            // A route's own JSON answer (the JSON-RPC errors of /mcp) stays as it is.
            if (type == null || !(type.startsWith(Problem.CONTENT_TYPE) || type.startsWith("application/json"))) {
                write(ctx, Problem.of(404, "not-found", "Not found", "no route " + ctx.method() + " " + ctx.path()));
            }
        });
        app.error(405, ctx -> write(ctx, Problem.of(405, "method-not-allowed", "Method not allowed",
                ctx.method() + " is not allowed on " + ctx.path())));
    }

    /**
     * The problem a domain exception stands for, or empty for an unexpected one (a bug). For
     * answers that carry several outcomes, like a batch's items.
     */
    public static Optional<Problem> known(Exception e) {
        return Optional.ofNullable(switch (e) {
            case ProblemException p -> p.problem();
            case JobNotFoundException x -> Problem.of(404, "not-found", "Not found", "job does not exist");
            case SandboxNotFoundException x -> Problem.of(404, "not-found", "Not found", "sandbox does not exist");
            case SandboxEndedException x -> Problem.of(410, "sandbox-ended", "Sandbox ended", x.getMessage());
            case QuotaExceededException q -> Problem.quota(q.limit(), q.getMessage());
            case IdempotencyConflictException x -> Problem.of(409, "idempotency-conflict", "Idempotency-Key reused",
                    x.getMessage());
            case WriteNotAcknowledgedException x -> Problem.of(503, "unavailable", "Service unavailable",
                    "the job store's replicas did not confirm this write in time; retry shortly (with the same "
                            + "Idempotency-Key, a job kept meanwhile is answered, not made twice)");
            case StoreUnavailableException x -> Problem.of(503, "unavailable", "Service unavailable",
                    "the job store is unreachable right now; retry shortly");
            default -> null;
        });
    }

    public static void write(Context ctx, Problem problem) {
        ctx.status(problem.status()).contentType(Problem.CONTENT_TYPE).result(Json.write(problem));
    }

    private static Problem fromStatus(int status, String message) {
        return switch (status) {
            case 413 -> Problem.of(413, "too-large", "Payload too large", "the request body is larger than allowed");
            case 400 -> Problem.of(400, "invalid-request", "Invalid request", message);
            case 404 -> Problem.of(404, "not-found", "Not found", message);
            case 405 -> Problem.of(405, "method-not-allowed", "Method not allowed", message);
            default -> Problem.of(status, "http-" + status, message, message);
        };
    }
}
