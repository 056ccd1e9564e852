package io.boxq.api.metrics;

import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code boxq_http_requests_total{route, method, status}}, counted when a request is done (Javalin's
 * request logger, so errors and 404s count too). The route is the matched template
 * ({@code /v1/jobs/{id}}), never the raw path, so the number of series stays bounded; requests that
 * matched no route count as {@code unmatched}.
 */
public final class HttpMetrics {
    static final String UNMATCHED = "unmatched";

    private final MeterRegistry registry;
    /** The counters by route, method and status: a registry lookup builds and sorts tags each time. */
    private final Map<Series, Counter> counters = new ConcurrentHashMap<>();

    private record Series(String route, String method, int status) {}

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Javalin's {@code RequestLogger}: {@code config.requestLogger.http(metrics::record)}. */
    public void record(Context ctx, Float executionTimeMs) {
        counters.computeIfAbsent(new Series(route(ctx), ctx.method().name(), ctx.statusCode()),
                s -> registry.counter("boxq.http.requests", "route", s.route(), "method", s.method(),
                        "status", Integer.toString(s.status()))).increment();
    }

    static String route(Context ctx) {
        try {
            String path = ctx.endpointHandlerPath();
            return path == null || path.isEmpty() || "*".equals(path) ? UNMATCHED : path;
        } catch (RuntimeException e) {
            return UNMATCHED;
        }
    }
}
