package io.boxq.api.metrics;

import io.boxq.core.redis.StoreUnavailableException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics}, without auth like {@code /health}: the process's registry in Prometheus'
 * text format. Figures read from Redis are refreshed first; while Redis is away they keep their last
 * values and the rest (the JVM, the counters) is served all the same.
 */
public final class MetricsRoute {
    private static final Logger log = LoggerFactory.getLogger(MetricsRoute.class);
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final List<Runnable> refreshBeforeScrape;

    public MetricsRoute(PrometheusMeterRegistry registry, List<Runnable> refreshBeforeScrape) {
        this.registry = registry;
        this.refreshBeforeScrape = List.copyOf(refreshBeforeScrape);
    }

    public void register(Javalin app) {
        app.get("/metrics", this::scrape);
    }

    private void scrape(Context ctx) {
        for (Runnable refresh : refreshBeforeScrape) {
            try {
                refresh.run();
            } catch (StoreUnavailableException e) {
                log.debug("metrics from Redis not refreshed: {}", e.getMessage());
            }
        }
        ctx.contentType(CONTENT_TYPE).result(registry.scrape());
    }
}
