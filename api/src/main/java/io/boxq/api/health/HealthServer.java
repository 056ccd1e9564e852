package io.boxq.api.health;

import io.boxq.api.problem.ProblemMapper;
import io.boxq.core.json.Json;
import io.boxq.core.redis.Redis;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.util.Optional;
import java.util.function.Supplier;

/** The only HTTP an executor-only process serves: {@code /health}. */
public final class HealthServer implements AutoCloseable {
    private final Javalin app;

    public HealthServer(String host, int port, Redis redis, Supplier<Optional<NodeHealth>> node, String processId) {
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.jsonMapper(new JavalinJackson(Json.mapper(), false));
            c.jetty.defaultHost = host;
            c.jetty.defaultPort = port;
        });
        ProblemMapper.register(app);
        new HealthRoutes(redis, node, processId).register(app);
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
