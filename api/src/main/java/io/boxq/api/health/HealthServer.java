package io.boxq.api.health;

import io.boxq.api.metrics.HttpMetrics;
import io.boxq.api.metrics.MetricsRoute;
import io.boxq.api.metrics.ProcessMetrics;
import io.boxq.api.metrics.QueueDepthGauges;
import io.boxq.api.problem.ProblemErrorHandler;
import io.boxq.api.problem.ProblemMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import io.boxq.core.json.Json;
import io.boxq.core.redis.Redis;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.util.Optional;
import java.util.function.Supplier;

/** The only HTTP an executor-only process serves: {@code /health} and {@code /metrics}. */
public final class HealthServer implements AutoCloseable {
    private final Javalin app;

    public HealthServer(String host, int port, Redis redis, Supplier<Optional<NodeHealth>> node, String processId) {
        this(host, port, redis, node, processId, ProcessMetrics.newRegistry());
    }

    /** @param registry the process's registry (its executor's meters), served on /metrics */
    public HealthServer(String host, int port, Redis redis, Supplier<Optional<NodeHealth>> node, String processId,
            PrometheusMeterRegistry registry) {
        HttpMetrics requests = new HttpMetrics(registry);
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.requestLogger.http(requests::record);
            c.jsonMapper(new JavalinJackson(Json.mapper(), false));
            c.jetty.defaultHost = host;
            c.jetty.defaultPort = port;
            ProblemErrorHandler.install(c.jetty);
        });
        ProblemMapper.register(app);
        new HealthRoutes(redis, node, processId).register(app);
        new MetricsRoute(registry, List.of(new QueueDepthGauges(redis, registry))).register(app);
    }

    public HealthServer start() {
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
