package io.boxq.api;

import io.boxq.api.auth.Authenticator;
import io.boxq.api.health.HealthRoutes;
import io.boxq.api.health.NodeHealth;
import io.boxq.api.jobs.CompletionWaiters;
import io.boxq.api.admin.OverviewRoute;
import io.boxq.api.admin.SandboxesOverview;
import io.boxq.api.admin.SystemOverview;
import io.boxq.api.admin.SystemRoutes;
import io.boxq.api.dashboard.Dashboard;
import io.boxq.api.jobs.JobAwaiter;
import io.boxq.api.jobs.JobCanceller;
import io.boxq.api.jobs.JobEvents;
import io.boxq.api.jobs.JobRoutes;
import io.boxq.api.jobs.JobSubmitter;
import io.boxq.api.mcp.McpRoutes;
import io.boxq.api.sandboxes.SandboxOperations;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.api.sandboxes.SandboxRoutes;
import io.boxq.api.sandboxes.SandboxForks;
import io.boxq.api.snapshots.SnapshotOperations;
import io.boxq.api.snapshots.SnapshotRoutes;
import io.boxq.core.snapshot.RedisSnapshotStore;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.api.keys.KeyRoutes;
import io.boxq.api.keys.KeyService;
import io.boxq.api.metrics.ApiMetrics;
import io.boxq.api.metrics.HttpMetrics;
import io.boxq.api.metrics.MetricsRoute;
import io.boxq.api.metrics.ProcessMetrics;
import io.boxq.api.metrics.QueueDepthGauges;
import io.boxq.api.openapi.OpenApiRoute;
import io.boxq.core.sandbox.RedisSandboxStats;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import io.boxq.api.webhooks.WebhookRoutes;
import io.boxq.core.webhook.AddressPolicy;
import io.boxq.core.webhook.CallbackUrlCheck;
import io.boxq.core.webhook.RedisWebhookDeliveries;
import io.boxq.core.webhook.RedisWebhookSecrets;
import io.boxq.api.problem.ProblemMapper;
import io.boxq.api.problem.MalformedRequests;
import io.boxq.api.problem.ProblemErrorHandler;
import io.boxq.core.audit.AuditLog;
import io.boxq.core.auth.ApiKeyCache;
import io.boxq.core.auth.RedisApiKeyStore;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.json.Json;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisJobOutput;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.redis.RedisRateLimiter;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Supplier;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The HTTP side of boxq. It reaches executors only through Redis, also when both run in one
 * process.
 */
public final class ApiServer implements AutoCloseable {
    /** Longer than the longest long-poll, so Jetty never cuts a waiting request. */
    static final long IDLE_TIMEOUT_MS = 120_000;

    private final BoxqConfig config;
    private final CompletionWaiters waiters;
    private final ApiKeyCache keyCache;
    private final Javalin app;
    private final Set<String> routes = new ConcurrentSkipListSet<>();

    /** An api server. {@code localNode} gives this process's executor figures for /health, if it runs one. */
    public ApiServer(BoxqConfig config, Redis redis, Clock clock, Supplier<Optional<NodeHealth>> localNode) {
        this(config, redis, clock, localNode, ProcessMetrics.newRegistry());
    }

    /** @param registry the process's registry (shared with an executor in the same process), served on /metrics */
    public ApiServer(BoxqConfig config, Redis redis, Clock clock, Supplier<Optional<NodeHealth>> localNode,
            PrometheusMeterRegistry registry) {
        this.config = config;
        HttpMetrics requests = new HttpMetrics(registry);
        this.waiters = new CompletionWaiters(redis);
        RedisJobStore jobs = new RedisJobStore(redis, config.jobs().resultTtl(), clock);
        RedisApiKeyStore keys = new RedisApiKeyStore(redis, clock);
        this.keyCache = new ApiKeyCache(redis, keys);
        Authenticator auth = new Authenticator(keyCache, config.server().adminKey(), new RedisRateLimiter(redis, clock),
                config::limits);
        AuditLog audit = new AuditLog(redis, clock);
        this.app = Javalin.create(c -> {
            c.useVirtualThreads = true;
            c.showJavalinBanner = false;
            c.http.maxRequestSize = Math.max(Math.max(config.jobs().maxBodyBytes(), config.jobs().fileMaxBytes() + 65_536L),
                    McpRoutes.maxBodyBytes(config));
            c.jsonMapper(new JavalinJackson(Json.mapper(), true));
            c.requestLogger.http(requests::record);
            c.events.handlerAdded(h -> {
                if (h.getHttpMethod().isHttpMethod()) {
                    routes.add(h.getHttpMethod() + " " + h.getPath());
                }
            });
            c.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(config.server().host());
                connector.setPort(config.server().port());
                connector.setIdleTimeout(IDLE_TIMEOUT_MS);
                return connector;
            });
            Dashboard.serve(c.staticFiles);
            ProblemErrorHandler.install(c.jetty);
        });
        MalformedRequests.refuseUnreadable(app);
        app.before("/v1/*", auth::authenticate);
        app.before("/v1/*", ctx -> {
            if (!ctx.path().endsWith("/files") && ctx.contentLength() > config.jobs().maxBodyBytes()) {
                throw new ProblemException(Problem.of(413, "too-large", "Payload too large",
                        "request bodies are limited to " + config.jobs().maxBodyBytes() + " bytes"));
            }
        });
        MalformedRequests.readBodies(app, config.jobs().maxBodyBytes());
        app.before(McpRoutes.PATH, auth::authenticate);
        MalformedRequests.readBodies(app, McpRoutes.PATH, McpRoutes.maxBodyBytes(config));
        ProblemMapper.register(app);
        JobAwaiter awaiter = new JobAwaiter(jobs, waiters);
        RedisSandboxStore sandboxes = new RedisSandboxStore(redis, clock, config.sandboxLimits().endedRetention());
        NodeDirectory nodes = new NodeDirectory(redis);
        ApiMetrics apiMetrics = new ApiMetrics(registry);
        JobSubmitter submitter = new JobSubmitter(config, jobs, redis.keys(), sandboxes, apiMetrics);
        JobCanceller canceller = new JobCanceller(config, jobs,
                message -> redis.run(j -> j.publish(redis.keys().controlChannel(), message)), apiMetrics);
        RedisSnapshotStore snapshotStore = new RedisSnapshotStore(redis, clock);
        SandboxOperations operations = new SandboxOperations(config, sandboxes, jobs, redis.keys(), awaiter, nodes,
                canceller, audit, clock, snapshotStore);
        SnapshotOperations snapshots = new SnapshotOperations(config, snapshotStore, operations, nodes, audit, redis, clock);
        SandboxForks forks = new SandboxForks(config, sandboxes, operations, nodes, audit, clock);
        new JobRoutes(config, jobs, submitter, awaiter, canceller).register(app);
        new JobEvents(jobs, new RedisJobOutput(redis, config.jobs().resultTtl())).register(app);
        new SandboxRoutes(config, operations, clock, new RedisSandboxStats(redis)).register(app);
        new SnapshotRoutes(snapshots, forks).register(app);
        new McpRoutes(config, redis, clock, submitter, awaiter, operations, snapshots, forks).register(app);
        new SystemRoutes(config, redis, sandboxes, snapshotStore, keys, nodes, audit, clock).register(app);
        new OverviewRoute(new SystemOverview(config, redis, nodes, keys,
                new SandboxesOverview(config, sandboxes, new RedisSandboxStats(redis)), clock)).register(app);
        new KeyRoutes(keys, new KeyService(keys, audit, key -> {
            Map<String, String> ended = new java.util.HashMap<>(operations.endAllOf(key));
            ended.put("snapshots_deleted", Integer.toString(snapshots.deleteAllOf(key)));
            return ended;
        }), key -> key.limits(config::limits), new CallbackUrlCheck(AddressPolicy.of(config.webhooks())))
                .offering(config.sandbox().allowedRuntimes()).register(app);
        new WebhookRoutes(jobs, new RedisWebhookDeliveries(redis, config.jobs().resultTtl()),
                new RedisWebhookSecrets(redis, clock, config.webhooks().secretRotationWindow()), clock).register(app);
        new HealthRoutes(redis, localNode, config.server().workerId()).register(app);
        new MetricsRoute(registry, List.of(new QueueDepthGauges(redis, registry))).register(app);
        new OpenApiRoute().register(app);
    }

    public ApiServer start() {
        waiters.start();
        keyCache.start();
        app.start();
        return this;
    }

    /** The port it listens on (the real one when configured with port 0). */
    public int port() {
        return app.port();
    }

    /**
     * Every route this server answers, as {@code "GET /v1/jobs/{id}"}, the way Javalin registered
     * them; /openapi.json must describe exactly these.
     */
    public Set<String> routes() {
        return Set.copyOf(routes);
    }

    public BoxqConfig config() {
        return config;
    }

    @Override
    public void close() {
        app.stop();
        waiters.close();
        keyCache.close();
    }
}
