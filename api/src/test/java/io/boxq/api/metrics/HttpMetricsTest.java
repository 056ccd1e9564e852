package io.boxq.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.api.problem.ProblemException;
import io.boxq.api.problem.ProblemMapper;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real Javalin on port 0 with the request counter, and real HTTP against it. */
class HttpMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient http = HttpClient.newHttpClient();
    private Javalin app;

    @AfterEach
    void stop() {
        app.stop();
    }

    @Test
    void requests_count_by_route_template_method_and_status_never_by_raw_path() throws Exception {
        HttpMetrics metrics = new HttpMetrics(registry);
        app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.requestLogger.http(metrics::record);
        });
        ProblemMapper.register(app);
        app.get("/v1/jobs/{id}", ctx -> {
            if (ctx.pathParam("id").equals("missing")) {
                throw ProblemException.notFound("job");
            }
            ctx.result("ok");
        });
        app.post("/v1/jobs", ctx -> ctx.status(202));
        app.start(0);

        send("GET", "/v1/jobs/job_1");
        send("GET", "/v1/jobs/job_2");
        send("GET", "/v1/jobs/missing");
        send("POST", "/v1/jobs");
        send("GET", "/no/such/route/" + System.nanoTime());

        assertThat(count("/v1/jobs/{id}", "GET", "200")).isEqualTo(2);
        assertThat(count("/v1/jobs/{id}", "GET", "404")).isEqualTo(1);
        assertThat(count("/v1/jobs", "POST", "202")).isEqualTo(1);
        assertThat(count(HttpMetrics.UNMATCHED, "GET", "404")).isEqualTo(1);
        assertThat(registry.find("boxq.http.requests").counters()).as("one series per template, not per path")
                .hasSize(4);
    }

    private void send(String method, String path) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    private double count(String route, String method, String status) {
        var c = registry.find("boxq.http.requests").tags("route", route, "method", method, "status", status).counter();
        return c == null ? 0 : c.count();
    }
}
