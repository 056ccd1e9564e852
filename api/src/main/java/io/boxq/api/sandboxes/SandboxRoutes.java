package io.boxq.api.sandboxes;

import io.boxq.api.auth.Authenticator;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.api.request.RequestBody;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.Job;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.sandbox.RedisSandboxStats;
import io.boxq.core.sandbox.ResourceSample;
import io.boxq.core.sandbox.Sandbox;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/sandboxes}: create, read, list, keepalive, destroy, files and stats. What acts on a
 * sandbox lives in {@link SandboxOperations}, which the MCP tools share. An ended sandbox can still
 * be read (how and why it ended) until its record expires; everything that would act on it answers
 * 410 {@code sandbox-ended}.
 */
public final class SandboxRoutes {
    /** On a file read's answer: the sandbox was paused and the read resumed it. */
    static final String RESUMED_HEADER = "Boxq-Resumed";
    private final BoxqConfig config;
    private final SandboxOperations operations;
    private final Clock clock;
    private final RedisSandboxStats stats;
    private final PauseOperations pauses;

    /** @param stats the history the resource monitor keeps of each sandbox */
    public SandboxRoutes(BoxqConfig config, SandboxOperations operations, Clock clock, RedisSandboxStats stats) {
        this.stats = stats;
        this.config = config;
        this.operations = operations;
        this.clock = clock;
        this.pauses = new PauseOperations(operations);
    }

    public void register(Javalin app) {
        app.post("/v1/sandboxes", this::create);
        app.get("/v1/sandboxes", this::list);
        app.get("/v1/sandboxes/{id}", ctx -> ctx.json(SandboxView.of(owned(ctx))));
        app.delete("/v1/sandboxes/{id}", this::destroy);
        app.post("/v1/sandboxes/{id}/keepalive", this::keepalive);
        app.put("/v1/sandboxes/{id}/files", this::upload);
        app.get("/v1/sandboxes/{id}/files", this::download);
        app.get("/v1/sandboxes/{id}/stats", this::stats);
        registerPauses(app);
    }

    /** Pause and resume: each answers the sandbox as it is afterwards. */
    private void registerPauses(Javalin app) {
        app.post("/v1/sandboxes/{id}/pause",
                ctx -> ctx.json(SandboxView.of(pauses.pause(Authenticator.caller(ctx), ctx.pathParam("id")))));
        app.post("/v1/sandboxes/{id}/resume",
                ctx -> ctx.json(SandboxView.of(pauses.resume(Authenticator.caller(ctx), ctx.pathParam("id")))));
    }

    private void create(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        Sandbox s = operations.create(caller,
                SandboxRequest.parse(caller, config, ctx.body(), id -> operations.readySnapshot(caller, id)));
        ctx.status(HttpStatus.CREATED).header("Location", "/v1/sandboxes/" + s.id()).json(SandboxView.of(s));
    }

    private void list(Context ctx) {
        List<Sandbox> listed = operations.list(Authenticator.caller(ctx), ctx.queryParam("state"));
        ctx.json(Map.of("sandboxes", listed.stream().map(SandboxView::of).toList()));
    }

    private void destroy(Context ctx) {
        operations.destroy(Authenticator.caller(ctx), ctx.pathParam("id"));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    /** Moves a live sandbox's end to now + {@code ttl_s} (default {@code SESSION_TIMEOUT_MINUTES}), within its maximum lifetime. */
    private void keepalive(Context ctx) {
        Sandbox s = operations.live(Authenticator.caller(ctx), ctx.pathParam("id"));
        RequestBody b = RequestBody.parseOptional(ctx.body(), Set.of("ttl_s"));
        long left = Math.max(1, Duration.between(clock.instant(), s.maxExpiresAt()).toSeconds());
        int ttl = b.integer("ttl_s", (int) Math.min(config.sandboxLimits().sessionTimeout().toSeconds(), left),
                1, (int) Math.min(Integer.MAX_VALUE, left));
        b.validate();
        ctx.json(SandboxView.of(operations.keepalive(s, ttl)));
    }

    private void upload(Context ctx) {
        byte[] content = ctx.bodyAsBytes();
        boolean resumes = resumes(ctx);
        String path = operations.writeFile(Authenticator.caller(ctx), ctx.pathParam("id"), ctx.queryParam("path"),
                content);
        ctx.status(HttpStatus.CREATED).json(resumes ? Map.of("path", path, "size", content.length, "resumed", true)
                : Map.of("path", path, "size", content.length));
    }

    private void download(Context ctx) {
        boolean resumes = resumes(ctx);
        byte[] content = operations.readFile(Authenticator.caller(ctx), ctx.pathParam("id"), ctx.queryParam("path"));
        if (resumes) {
            ctx.header(RESUMED_HEADER, "true");
        }
        ctx.contentType("application/octet-stream").result(content);
    }

    /** Whether the sandbox is paused now, so that a file call resumes it first (the answer says so). */
    private boolean resumes(Context ctx) {
        return operations.owned(Authenticator.caller(ctx), ctx.pathParam("id")).paused();
    }

    private void stats(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        Sandbox s = SandboxOperations.ready(operations.live(caller, ctx.pathParam("id")));
        Job done = operations.runOp(caller, s, SandboxOp.Kind.STATS, null, null);
        if (done.result() == null || done.result().exitCode() != 0) {
            operations.failIfEnded(s);
            throw new ProblemException(Problem.of(503, "stats-unavailable", "Stats unavailable",
                    done.error() != null ? done.error() : "the sandbox did not report its figures"));
        }
        int quota = config.sandbox().cpuQuotaPercent();
        ResourceSample now = ResourceSample.parse(new String(done.result().stdout(), StandardCharsets.UTF_8),
                clock.instant());
        ctx.json(Map.of("sandbox_id", s.id(), "now", SandboxStats.of(now, quota),
                "history", stats.history(s.id(), config.monitor().statsHistoryLength()).stream()
                        .map(h -> SandboxStats.of(h, quota)).toList()));
    }

    private Sandbox owned(Context ctx) {
        return operations.owned(Authenticator.caller(ctx), ctx.pathParam("id"));
    }
}
