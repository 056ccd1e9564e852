package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import io.boxq.server.BoxqClient;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that submit {@code echo} jobs continuously, paced (a fixed number of submits per tick
 * over all clients), each under an Idempotency-Key that a client sends again after a 503 until the
 * job is answered 202, as a careful user would. It records every answer: 202s with the job and when
 * it came, 503s (and whether they said Retry-After), anything else, and requests that hung.
 */
final class SubmitLoad implements AutoCloseable {
    static final Set<String> TERMINAL = Set.of("succeeded", "failed", "timed_out", "cancelled", "error");
    /** Far below what a user would wait: a request must not hang while Redis is away or switching. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);

    /** A job answered 202 (or 200 to an Idempotency-Key replay): its id, what its command prints, and when the answer came (ns). */
    record Accepted(String id, String stdout, long atNanos) {}

    final ConcurrentLinkedQueue<Accepted> accepted = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicInteger unavailableWithoutRetryAfter = new AtomicInteger();
    final AtomicInteger hung = new AtomicInteger();
    /** Every answer that came, whatever it was. */
    final AtomicInteger answers = new AtomicInteger();

    private final BoxqClient http;
    private final String key;
    private final Semaphore permits = new Semaphore(0);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final List<Thread> clients = new ArrayList<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private volatile boolean submitting = true;
    private volatile long lastUnavailableAt;

    /**
     * @param perTick submits allowed over all clients every 100 ms (a client with a job not yet
     *                answered 202 goes on retrying it after the load stops, until it is)
     */
    SubmitLoad(BoxqClient http, String key, int clients, int perTick) {
        this.http = http;
        this.key = key;
        ticker.scheduleAtFixedRate(() -> permits.release(perTick - Math.min(perTick, permits.availablePermits())),
                0, 100, TimeUnit.MILLISECONDS);
        for (int i = 0; i < clients; i++) {
            this.clients.add(Thread.ofPlatform().name("submit-load-" + i).daemon().start(this::client));
        }
    }

    private void client() {
        while (submitting) {
            int n = sequence.incrementAndGet();
            String idempotencyKey = "load-" + n + "-" + System.nanoTime();
            String body = Json.write(Map.of("command", "echo job-" + n));
            boolean done = false;
            while (!done) {
                try {
                    if (!permits.tryAcquire(1, TimeUnit.SECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                done = submit(body, idempotencyKey, "job-" + n + "\n");
            }
        }
    }

    /** @return true when the job is answered 202 (or the answer is one a retry cannot help) */
    private boolean submit(String body, String idempotencyKey, String stdout) {
        HttpResponse<String> r;
        try {
            r = http.exchange(http.request("/v1/jobs", key).timeout(ANSWER_WITHIN)
                    .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof HttpTimeoutException) {
                hung.incrementAndGet();
                return false;
            }
            unexpected.add("no answer: " + e.getMessage());
            return false;
        }
        answers.incrementAndGet();
        boolean replayed = r.statusCode() == 200 && r.headers().firstValue("Idempotent-Replayed").isPresent();
        if (r.statusCode() == 202 || replayed) {
            JsonNode job = new BoxqClient.Reply(r.statusCode(), "", r.body()).json();
            accepted.add(new Accepted(job.path("id").asText(), stdout, System.nanoTime()));
            return true;
        }
        switch (r.statusCode()) {
            case 503 -> {
                unavailable.incrementAndGet();
                lastUnavailableAt = System.nanoTime();
                if (r.headers().firstValue("Retry-After").isEmpty()) {
                    unavailableWithoutRetryAfter.incrementAndGet();
                }
                return false;
            }
            default -> {
                unexpected.add(r.statusCode() + " " + r.body());
                return true;
            }
        }
    }

    /** Waits until {@code n} jobs were answered 202 after {@code sinceNanos}. */
    void awaitAcceptedSince(long sinceNanos, int n, Duration atMost) {
        await(n + " jobs accepted").atMost(atMost).pollInterval(Duration.ofMillis(50))
                .until(() -> accepted.stream().filter(a -> a.atNanos() > sinceNanos).count() >= n);
    }

    /** When the last 503 was answered (ns; 0: none yet). */
    long lastUnavailableAt() {
        return lastUnavailableAt;
    }

    /** Stops new jobs; waits until each client's last job was answered 202 (it retries on 503). */
    void finish() throws InterruptedException {
        submitting = false;
        for (Thread t : clients) {
            t.join(Duration.ofSeconds(90));
            assertThat(t.isAlive()).as(t.getName() + " still retrying its last job after 90 s").isFalse();
        }
        ticker.shutdownNow();
    }

    /** A job's state by its id: the job as GET answers it once ended, or null when it is gone (404). */
    JsonNode awaitEnd(String id) {
        HttpResponse<String> last = await(id + " ends").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(() -> http.exchange(http.request("/v1/jobs/" + id + "?wait=10", key).timeout(ANSWER_WITHIN)
                        .GET()), r -> r.statusCode() == 404 || (r.statusCode() == 200
                        && TERMINAL.contains(new BoxqClient.Reply(200, "", r.body()).json().path("state").asText())));
        return last.statusCode() == 404 ? null : new BoxqClient.Reply(200, "", last.body()).json();
    }

    @Override
    public void close() {
        submitting = false;
        ticker.shutdownNow();
        clients.forEach(Thread::interrupt);
    }
}
