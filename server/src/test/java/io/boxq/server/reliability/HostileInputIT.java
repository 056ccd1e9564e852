package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A fuzz of at least 5,000 hostile requests over every route (seeded, so a failure can be
 * replayed with the same seed): no 5xx, every 4xx an application/problem+json naming what is
 * wrong, no request without an answer inside its timeout, and the server healthy afterwards.
 * Requests go out 16 at a time; what java.net.http refuses to send goes over a raw socket.
 *
 * <p>One 5xx is allowed: 505 to a request line naming HTTP/9.9, which is what RFC 9110 asks for.
 */
class HostileInputIT {
    private static final long SEED = Long.getLong("boxq.fuzz.seed", 20_261_122L);
    private static final int REQUESTS = Integer.getInteger("boxq.fuzz.requests", 5_000);
    private static final int RAW_EVERY = 20;
    private static final int PARALLEL = 16;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /**
     * A request this big (head or body) may be refused before the server has read it all; closing the
     * connection then can reset it before the client reads the answer (TCP drops unread data), so
     * for these a connection closed without an answer counts as a refusal, not a failure.
     */
    private static final int OVERSIZED = 8 * 1024;

    // Sandboxes stay below the node's containers, so a create is refused by quota (429), never for
    // room (503); no Quartz here: the node's one heartbeat must last the run.
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("fuzz", Map.of("SHUTDOWN_GRACE_SECONDS", "5",
            "MAX_POOL_SIZE", "8", "MAX_TOTAL_SANDBOXES", "3", "NODE_TTL_SECONDS", "3600"));
    private static BoxqTestServer server;
    private static BoxqClient client;
    /** A generated request to the MCP endpoint (its description starts with the method and path). */
    private static final java.util.regex.Pattern MCP = java.util.regex.Pattern.compile("^\\S+ /mcp(?:[/?\\s]|$)");
    private static HostileRequests.Targets targets;
    private final Map<Integer, AtomicInteger> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startServer() {
        BoxqClient.Reply key = client.post("/v1/keys", server.adminKey(), Map.of("user", TestEnvironment.unique("fuzz"),
                "tier", "free", "requests_per_minute", 100_000_000, "concurrent_jobs", 2));
        String userKey = key.json().path("key").asText();
        String jobId = client.run(userKey, "echo fuzz").path("id").asText();
        BoxqClient.Reply sandbox = client.post("/v1/sandboxes", userKey, "{}");
        assertThat(sandbox.status()).as(sandbox.body()).isEqualTo(201);
        String spare = client.createKey(server.adminKey(), TestEnvironment.unique("spare"), "free").path("id").asText();
        targets = new HostileRequests.Targets(userKey, server.adminKey(), jobId, sandbox.json().path("id").asText(), spare);
    }

    /** One request that broke a rule, as the report shows it. */
    record Finding(int index, String request, String problem) {
        @Override
        public String toString() {
            return "#" + index + " " + request + "\n    -> " + problem;
        }
    }

    @Test
    void thousands_of_hostile_requests_get_4xx_problems_and_leave_the_server_healthy() throws InterruptedException {
        HostileRequests generator = new HostileRequests(SEED, targets);
        List<Finding> findings = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        Semaphore slots = new Semaphore(PARALLEL);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < REQUESTS; i++) {
                int index = i;
                slots.acquire();
                pool.execute(() -> {
                    try {
                        check(index, generator, findings, closed);
                        sent.incrementAndGet();
                    } finally {
                        slots.release();
                    }
                });
            }
        }

        System.out.printf("fuzz seed %d: %d requests, answers by status %s, %d oversized closed unanswered%n",
                SEED, sent.get(), statuses, closed.get());
        assertThat(sent.get()).isEqualTo(REQUESTS);
        assertThat(closed.get()).as("oversized requests closed without an answer").isLessThan(REQUESTS / 50);
        assertThat(findings).as("requests that broke a rule (seed %d)", SEED).isEmpty();
        assertThat(client.get("/health", null).status()).isEqualTo(200);
        String fresh = client.createKey(server.adminKey(), TestEnvironment.unique("after"), "free").path("key").asText();
        JsonNode job = client.run(fresh, "echo still-fine");
        assertThat(job.path("state").asText()).isEqualTo("succeeded");
        assertThat(job.path("stdout").asText()).isEqualTo("still-fine\n");
    }

    private void check(int index, HostileRequests generator, List<Finding> findings, AtomicInteger closed) {
        String what = "?";
        boolean oversized = false;
        try {
            RawHttp.Answer answer;
            long t0 = System.nanoTime();
            if (index % RAW_EVERY == RAW_EVERY - 1) {
                byte[] raw = RawHttp.malformed(new Random(SEED + index), targets.userKey());
                what = "raw " + new String(raw, 0, Math.min(raw.length, 120), java.nio.charset.StandardCharsets.UTF_8)
                        .replace("\r\n", "⏎");
                oversized = raw.length > OVERSIZED;
                answer = RawHttp.send(server.client.base().getPort(), raw, TIMEOUT);
            } else {
                HostileRequests.Request request = generator.request(index);
                what = request.describe();
                oversized = request.path().length() > OVERSIZED || (request.body() != null && request.body().length > OVERSIZED)
                        || request.headers().stream().mapToInt(h -> h[1].length()).sum() > OVERSIZED;
                answer = send(request);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            statuses.computeIfAbsent(answer.status(), k -> new AtomicInteger()).incrementAndGet();
            String problem = judge(answer, what.startsWith("HEAD"), what.contains(" HTTP/9.9"), MCP.matcher(what).find(),
                    took);
            if (problem != null) {
                findings.add(new Finding(index, what, problem));
            }
        } catch (HttpTimeoutException | java.net.SocketTimeoutException e) {
            findings.add(new Finding(index, what, "no answer within " + TIMEOUT.toSeconds() + " s"));
        } catch (IOException e) {
            if (oversized) {
                closed.incrementAndGet(); // refused before it was read whole: the close can overtake the answer
            } else {
                findings.add(new Finding(index, what, "connection failed without an answer: " + e));
            }
        } catch (RuntimeException e) {
            findings.add(new Finding(index, what, "the test could not send it: " + e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Null when the answer keeps the rules, else what is wrong with it. A 4xx is a problem document;
     * on {@code /mcp} it may instead be what JSON-RPC answers a broken message with: an error object
     * with a code and a message.
     */
    private static String judge(RawHttp.Answer a, boolean head, boolean unknownVersion, boolean mcp, Duration took) {
        if (a.status() == 0) {
            return "no HTTP answer: " + clip(a.body());
        }
        if (a.status() >= 500 && !(a.status() == 505 && unknownVersion)) {
            return a.status() + " " + clip(a.body());
        }
        if (took.compareTo(TIMEOUT) > 0) {
            return "answered after " + took.toSeconds() + " s";
        }
        if (a.status() < 400 || head) {
            return null;
        }
        if (mcp && a.contentType().startsWith("application/json")) {
            try {
                JsonNode error = Json.mapper().readTree(a.body()).path("error");
                return error.path("code").isInt() && !error.path("message").asText().isBlank() ? null
                        : a.status() + " JSON-RPC answer without an error code and message: " + clip(a.body());
            } catch (IOException | RuntimeException e) {
                return a.status() + " body is not a JSON-RPC answer: " + clip(a.body());
            }
        }
        if (!a.contentType().startsWith("application/problem+json")) {
            return a.status() + " with Content-Type '" + a.contentType() + "': " + clip(a.body());
        }
        String body = a.body();
        int from = body.indexOf('{');
        int to = body.lastIndexOf('}');
        try {
            JsonNode problem = Json.mapper().readTree(from < 0 ? body : body.substring(from, to + 1));
            if (problem.path("detail").asText().isBlank() || problem.path("status").asInt() != a.status()) {
                return a.status() + " problem without detail or with another status: " + clip(body);
            }
        } catch (IOException | RuntimeException e) {
            return a.status() + " body is not a problem document: " + clip(body);
        }
        return null;
    }

    private RawHttp.Answer send(HostileRequests.Request r) throws IOException, InterruptedException {
        HttpRequest built;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(client.base() + r.path())).timeout(TIMEOUT)
                    .method(r.method(), publisher(r));
            r.headers().forEach(h -> b.header(h[0], h[1]));
            built = b.build();
        } catch (IllegalArgumentException e) {
            // java.net.http will not send this (a bad URI, method or header value): send it raw
            return RawHttp.send(client.base().getPort(), RawHttp.of(r.method(), r.path(), r.headers(), r.body()), TIMEOUT);
        }
        HttpResponse<String> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw e;
        } catch (IOException e) {
            // A pooled keep-alive connection the server closed after its previous answer (Jetty closes
            // after a 400 to a malformed request) fails before this request reaches it. Such a request
            // is sent once more over a connection of its own; failing again is a finding.
            return RawHttp.send(client.base().getPort(), RawHttp.of(r.method(), r.path(), r.headers(), r.body()), TIMEOUT);
        }
        return new RawHttp.Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    private static HttpRequest.BodyPublisher publisher(HostileRequests.Request r) {
        if (r.body() == null) {
            return HttpRequest.BodyPublishers.noBody();
        }
        if (!r.chunked()) {
            return HttpRequest.BodyPublishers.ofByteArray(r.body());
        }
        return HttpRequest.BodyPublishers.fromPublisher(subscriber -> {
            SubmissionPublisher<ByteBuffer> chunks = new SubmissionPublisher<>();
            chunks.subscribe(subscriber);
            for (int from = 0; from < r.body().length; from += 65_536) {
                chunks.submit(ByteBuffer.wrap(r.body(), from, Math.min(65_536, r.body().length - from)));
            }
            chunks.close();
        });
    }

    private static String clip(String s) {
        String one = s.replace("\r\n", "⏎").replace('\n', '⏎');
        return one.length() > 300 ? one.substring(0, 300) + "…" : one;
    }
}
