package io.boxq.api.sandboxes;

import io.boxq.api.auth.Authenticator;
import io.boxq.api.jobs.JobAwaiter;
import io.boxq.api.jobs.RequestBody;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.audit.AuditLog;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.auth.TierLimits;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobIds;
import io.boxq.core.job.JobState;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.redis.RedisKeys;
import io.boxq.core.sandbox.RedisSandboxStats;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.ResourceSample;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.core.sandbox.SandboxEnd;
import io.boxq.core.sandbox.SandboxEndedException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/sandboxes}: create (quota checked and taken in one Lua call), read, list, keepalive,
 * destroy, files and stats. Everything that needs the container travels to its node through Redis.
 * An ended sandbox can still be read (how and why it ended) until its record expires; everything
 * that would act on it answers 410 {@code sandbox-ended}.
 */
public final class SandboxRoutes {
    private static final Set<String> CREATE_FIELDS = Set.of("image", "ttl_s", "idle_timeout_s", "env", "network");
    static final Duration OP_WAIT = Duration.ofSeconds(60);

    private final BoxqConfig config;
    private final RedisSandboxStore sandboxes;
    private final RedisJobStore jobs;
    private final RedisKeys keys;
    private final JobAwaiter awaiter;
    private final NodePicker nodes;
    private final NodeDirectory directory;
    private final AuditLog audit;
    private final Clock clock;
    private final RedisSandboxStats stats;

    /** @param stats the history the resource monitor keeps of each sandbox */
    public SandboxRoutes(BoxqConfig config, RedisSandboxStore sandboxes, RedisJobStore jobs, RedisKeys keys,
            JobAwaiter awaiter, NodeDirectory directory, AuditLog audit, Clock clock, RedisSandboxStats stats) {
        this.stats = stats;
        this.config = config;
        this.sandboxes = sandboxes;
        this.jobs = jobs;
        this.keys = keys;
        this.awaiter = awaiter;
        this.nodes = new NodePicker(directory);
        this.directory = directory;
        this.audit = audit;
        this.clock = clock;
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
    }

    private void create(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        TierLimits limits = caller.limits(config::limits);
        RequestBody b = RequestBody.parse(ctx.body().isBlank() ? "{}" : ctx.body(), CREATE_FIELDS);
        String image = b.string("image", false, 256);
        if (image != null && !config.sandbox().allowedImages().contains(image)) {
            b.error("image", "is not one of the allowed images " + config.sandbox().allowedImages());
        }
        Duration maxLifetime = limits.maxLifetime().compareTo(config.sessions().lifetimeCeiling()) < 0
                ? limits.maxLifetime() : config.sessions().lifetimeCeiling();
        int ttl = b.integer("ttl_s", (int) Math.min(config.sessions().sessionTimeout().toSeconds(),
                maxLifetime.toSeconds()), 1, (int) maxLifetime.toSeconds());
        int idle = b.integer("idle_timeout_s", (int) config.pool().idleTimeout().toSeconds(), 1,
                (int) maxLifetime.toSeconds());
        Map<String, String> env = b.stringMap("env", "[A-Za-z_][A-Za-z0-9_]{0,127}", 128, 32 * 1024);
        String network = b.string("network", false, 64);
        if (network != null && !network.equals(config.sandbox().network())) {
            b.error("network", "must be '" + config.sandbox().network() + "' (the only network this server offers)");
        }
        b.validate();
        Instant now = clock.instant();
        String node = nodes.pick();
        Sandbox s = new Sandbox("sbx_" + JobIds.random(12), caller.id(), caller.user(), node, null,
                image != null ? image : config.sandbox().image(), limits.memoryBytes(), env, "creating", now, now,
                Duration.ofSeconds(idle), now.plusSeconds(ttl), now.plus(maxLifetime), null);
        sandboxes.reserve(s, new RedisSandboxStore.Limits(limits.maxSandboxes(),
                config.sessions().maxPerApiKey().orElse(-1), config.sessions().maxPerUser().orElse(-1),
                config.sessions().maxTotalSandboxes()));
        Job done = runOp(caller, s, SandboxOp.Kind.CREATE, null, null);
        if (done.state() != JobState.SUCCEEDED) {
            throw new ProblemException(Problem.of(503, "sandbox-unavailable", "Sandbox could not be started",
                    done.error() != null ? done.error() : "the node did not answer in time"));
        }
        audit.record(caller.id(), "sandbox.created", s.id(), Map.of("node", node));
        ctx.status(HttpStatus.CREATED).header("Location", "/v1/sandboxes/" + s.id())
                .json(SandboxView.of(sandboxes.get(s.id(), caller.id())));
    }

    private void list(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        String which = ctx.queryParam("state") == null ? "live" : ctx.queryParam("state");
        List<Sandbox> listed = switch (which) {
            case "live" -> sandboxes.listForKey(caller.id());
            case "ended" -> sandboxes.listEndedForKey(caller.id());
            case "all" -> {
                List<Sandbox> all = new ArrayList<>(sandboxes.listForKey(caller.id()));
                all.addAll(sandboxes.listEndedForKey(caller.id()));
                yield all;
            }
            default -> throw ProblemException.badRequest("state", "must be one of live, ended, all");
        };
        ctx.json(Map.of("sandboxes", listed.stream().map(SandboxView::of).toList()));
    }

    private void destroy(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        Sandbox s = live(ctx);
        if (directory.isAlive(s.node())) {
            runOp(caller, s, SandboxOp.Kind.DESTROY, null, null);
        }
        sandboxes.end(s, SandboxEnd.DELETED, "deleted by its owner");
        Sandbox after = sandboxes.find(s.id()).orElse(null);
        if (after != null && after.ended() && !SandboxEnd.DELETED.wireName().equals(after.state())) {
            throw new SandboxEndedException(after);
        }
        audit.record(caller.id(), "sandbox.destroyed", s.id(), Map.of());
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void keepalive(Context ctx) {
        Sandbox s = live(ctx);
        RequestBody b = RequestBody.parse(ctx.body().isBlank() ? "{}" : ctx.body(), Set.of("ttl_s"));
        long left = Duration.between(clock.instant(), s.maxExpiresAt()).toSeconds();
        int ttl = b.integer("ttl_s", (int) Math.min(config.sessions().sessionTimeout().toSeconds(), Math.max(1, left)),
                1, (int) Math.max(1, Math.min(Integer.MAX_VALUE, left)));
        b.validate();
        Instant wanted = clock.instant().plusSeconds(ttl);
        sandboxes.extend(s.id(), wanted.isAfter(s.maxExpiresAt()) ? s.maxExpiresAt() : wanted);
        ctx.json(SandboxView.of(sandboxes.getLive(s.id(), s.keyId())));
    }

    private void upload(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        Sandbox s = ready(live(ctx));
        String path = WorkspacePath.resolve(ctx.queryParam("path"), config.sandbox().workspace());
        byte[] content = ctx.bodyAsBytes();
        if (content.length > config.jobs().fileMaxBytes()) {
            throw new ProblemException(Problem.of(413, "too-large", "Payload too large",
                    "files are limited to " + config.jobs().fileMaxBytes() + " bytes"));
        }
        fileOutcome(s, runOp(caller, s, SandboxOp.Kind.WRITE_FILE, path, content), path);
        ctx.status(HttpStatus.CREATED).json(Map.of("path", path, "size", content.length));
    }

    private void download(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        Sandbox s = ready(live(ctx));
        String path = WorkspacePath.resolve(ctx.queryParam("path"), config.sandbox().workspace());
        CommandResult r = fileOutcome(s, runOp(caller, s, SandboxOp.Kind.READ_FILE, path, null), path);
        if (r.stdoutTruncated() || r.stdout().length > config.jobs().fileMaxBytes()) {
            throw new ProblemException(Problem.of(413, "too-large", "File too large",
                    "files are limited to " + config.jobs().fileMaxBytes() + " bytes"));
        }
        ctx.contentType("application/octet-stream").result(r.stdout());
    }

    private void stats(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        Sandbox s = ready(live(ctx));
        Job done = runOp(caller, s, SandboxOp.Kind.STATS, null, null);
        if (done.result() == null || done.result().exitCode() != 0) {
            failIfEnded(s);
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

    /** Sends an operation to the sandbox's node and waits for its end. */
    private Job runOp(ApiKey caller, Sandbox s, SandboxOp.Kind kind, String path, byte[] payload) {
        String opId = jobs.submitOp(caller.id(), s.id(), keys.nodeStream(s.node()), new SandboxOp(kind, path), payload,
                (int) OP_WAIT.toSeconds());
        return awaiter.await(opId, caller.id(), OP_WAIT);
    }

    private CommandResult fileOutcome(Sandbox s, Job done, String path) {
        CommandResult r = done.result();
        if (r == null) {
            failIfEnded(s);
            throw new ProblemException(Problem.of(503, "sandbox-unavailable", "Sandbox unavailable",
                    done.error() != null ? done.error() : "the sandbox did not answer in time"));
        }
        String why = new String(r.stderr(), StandardCharsets.UTF_8).strip();
        switch (r.exitCode()) {
            case 0 -> {
                return r;
            }
            case 2 -> throw ProblemException.notFound("file " + path);
            case 3, 4 -> throw ProblemException.badRequest("path", why.isEmpty() ? "is not allowed" : why);
            default -> throw new ProblemException(Problem.of(409, "file-error", "File call failed",
                    why.isEmpty() ? "exit code " + r.exitCode() : why));
        }
    }

    /** The caller's sandbox, live or ended; 404 for another key's. */
    private Sandbox owned(Context ctx) {
        String id = ctx.pathParam("id");
        if (!JobIds.looksLikeId(id, "sbx_")) {
            throw ProblemException.notFound("sandbox");
        }
        return sandboxes.get(id, Authenticator.caller(ctx).id());
    }

    /** An operation that failed because its sandbox ended meanwhile is a 410 saying so, not a 503. */
    private void failIfEnded(Sandbox s) {
        sandboxes.getLive(s.id(), s.keyId());
    }

    /** The caller's sandbox, which must still live: an ended one is a 410 saying how and why it ended. */
    private Sandbox live(Context ctx) {
        Sandbox s = owned(ctx);
        if (s.ended()) {
            throw new SandboxEndedException(s);
        }
        return s;
    }

    private static Sandbox ready(Sandbox s) {
        if (!s.ready()) {
            throw new ProblemException(Problem.of(409, "sandbox-not-ready", "Sandbox not ready",
                    "sandbox " + s.id() + " is " + s.state()));
        }
        return s;
    }

}
