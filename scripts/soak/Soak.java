import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boxq.core.redis.Redis;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of scripts/soak.sh (run it with the boxq jar on the class path): {@code --jobs}
 * jobs from {@code --clients} concurrent clients, each submitting a job (with an Idempotency-Key,
 * so a retried submit never makes a second job) and long-polling it to its end; when half of the
 * jobs are submitted it kills the process {@code --kill-pid} with SIGKILL. Then it checks that every
 * job is terminal, each succeeded job printed its own token once, none ran more often than it
 * allows, and no run slot, backlog entry or stream entry is left; writes a markdown report.
 */
public class Soak {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "timed_out", "cancelled", "error");

    record Outcome(int index, String id, String key, int maxAttempts, JsonNode job, long latencyMs) {}

    private final URI api;
    private final String admin;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong unavailable = new AtomicLong();

    Soak(URI api, String admin) {
        this.api = api;
        this.admin = admin;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Soak soak = new Soak(URI.create(a.get("api")), a.get("admin"));
        int failures = soak.run(Integer.parseInt(a.getOrDefault("jobs", "10000")),
                Integer.parseInt(a.getOrDefault("clients", "32")), Long.parseLong(a.get("kill-pid")),
                a.get("redis"), a.get("prefix"), Path.of(a.get("report")));
        System.exit(failures == 0 ? 0 : 1);
    }

    int run(int jobs, int clients, long killPid, String redisUrl, String prefix, Path report) throws Exception {
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < Math.min(4, clients); k++) {
            keys.add(post("/v1/keys", admin, Map.of("user", "soak-" + k, "tier", "free", "concurrent_jobs", 16,
                    "requests_per_minute", 100_000_000), null).path("key").asText());
        }
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> clientErrors = new ConcurrentLinkedQueue<>();
        long[] killedAt = {0};
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                String key = keys.get(c % keys.size());
                pool.execute(() -> {
                    for (int i; (i = next.getAndIncrement()) < jobs; ) {
                        if (i == jobs / 2) {
                            killedAt[0] = System.nanoTime();
                            ProcessHandle.of(killPid).ifPresent(ProcessHandle::destroyForcibly);
                            System.out.printf("soak: killed executor pid %d after %d submissions%n", killPid, i);
                        }
                        try {
                            outcomes.add(one(i, key));
                        } catch (Exception e) {
                            clientErrors.add("job " + i + ": " + e);
                        }
                    }
                });
            }
        }
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        List<String> problems = new ArrayList<>(clientErrors);
        Figures f = check(new ArrayList<>(outcomes), jobs, problems);
        checkLeftovers(keys, redisUrl, prefix, problems);
        String md = f.markdown(jobs, clients, wallMs, (killedAt[0] - t0) / 1_000_000, unavailable.get(), problems);
        Files.writeString(report, md);
        System.out.print(md);
        return problems.size();
    }

    /** Submits job {@code i} (retrying through 503s and broken connections) and long-polls it to its end. */
    private Outcome one(int i, String key) throws Exception {
        int attempts = i % 3 == 0 ? 1 : 2;
        String token = "soak-" + i;
        String command = (i % 10 == 0 ? "sleep 1; " : "") + "echo " + token;
        long start = System.nanoTime();
        JsonNode submitted = retrying(() -> post("/v1/jobs", key,
                Map.of("command", command, "max_attempts", attempts), token));
        String id = submitted.path("id").asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = retrying(() -> get("/v1/jobs/" + id + "?wait=30", key));
            if (TERMINAL.contains(job.path("state").asText())) {
                return new Outcome(i, id, key, attempts, job, (System.nanoTime() - start) / 1_000_000);
            }
        }
        throw new IllegalStateException("job " + id + " did not end within 10 minutes");
    }

    interface Call {
        JsonNode call() throws Exception;
    }

    private JsonNode retrying(Call call) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.call();
            } catch (Unavailable | IOException e) {
                unavailable.incrementAndGet();
                if (attempt == 60) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    static final class Unavailable extends Exception {
        Unavailable(String m) {
            super(m);
        }
    }

    private JsonNode post(String path, String key, Map<String, ?> body, String idempotencyKey) throws Exception {
        HttpRequest.Builder b = request(path, key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return send(b);
    }

    private JsonNode get(String path, String key) throws Exception {
        return send(request(path, key).GET());
    }

    private HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(90))
                .header("Authorization", "Bearer " + key);
    }

    private JsonNode send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 503) {
            throw new Unavailable(r.body());
        }
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Every job terminal with its own result; none ran more than it allows. */
    private static Figures check(List<Outcome> outcomes, int jobs, List<String> problems) {
        Figures f = new Figures();
        Set<String> ids = new HashSet<>();
        for (Outcome o : outcomes) {
            JsonNode j = o.job();
            String state = j.path("state").asText();
            f.count(state, j.path("node").asText(), j.path("attempt").asInt(), o.latencyMs());
            if (!ids.add(o.id())) {
                problems.add("job id " + o.id() + " was given to two submissions");
            }
            if (state.equals("succeeded") && !j.path("stdout").asText().equals("soak-" + o.index() + "\n")) {
                problems.add(o.id() + " printed " + j.path("stdout").asText() + " instead of its own token");
            }
            if (j.path("attempt").asInt() > o.maxAttempts()) {
                problems.add(o.id() + " ran " + j.path("attempt").asInt() + " times, allowed " + o.maxAttempts());
            }
            if (state.equals("error")) {
                f.errors.merge(j.path("error").asText().replaceAll("job_[0-9a-f]+", "job_…"), 1, Integer::sum);
                if (o.maxAttempts() > 1 && j.path("error").asText().contains("executor lost")) {
                    problems.add(o.id() + " could run again (max_attempts " + o.maxAttempts() + ") but was lost");
                }
            } else if (!state.equals("succeeded")) {
                problems.add(o.id() + " ended " + state + ": " + j);
            }
        }
        if (outcomes.size() != jobs) {
            problems.add((jobs - outcomes.size()) + " jobs have no outcome (see the client errors)");
        }
        return f;
    }

    /** No run slot or backlog entry of any key, and no entry in the jobs stream, is left. */
    private void checkLeftovers(List<String> keys, String redisUrl, String prefix, List<String> problems) throws Exception {
        for (String key : keys) {
            JsonNode usage = retrying(() -> get("/v1/quota/usage", key)).path("usage");
            if (usage.path("running_jobs").asInt() != 0 || usage.path("backlog_jobs").asInt() != 0) {
                problems.add("a key still holds run slots or a backlog: " + usage);
            }
        }
        try (Redis redis = new Redis(redisUrl, prefix, 2)) {
            long pending = redis.call(j -> j.xpending(redis.keys().jobsStream(), "executors")).getTotal();
            long left = redis.call(j -> j.xlen(redis.keys().jobsStream()));
            if (pending != 0 || left != 0) {
                problems.add("the jobs stream still holds " + left + " entries, " + pending + " pending");
            }
        }
    }

    /** What the run measured. */
    static final class Figures {
        final Map<String, Integer> states = new TreeMap<>();
        final Map<String, Integer> nodes = new TreeMap<>();
        final Map<Integer, Integer> attempts = new TreeMap<>();
        final Map<String, Integer> errors = new TreeMap<>();
        final List<Long> latencies = new ArrayList<>();

        synchronized void count(String state, String node, int attempt, long latencyMs) {
            states.merge(state, 1, Integer::sum);
            nodes.merge(node.isEmpty() ? "(none)" : node, 1, Integer::sum);
            attempts.merge(attempt, 1, Integer::sum);
            latencies.add(latencyMs);
        }

        String markdown(int jobs, int clients, long wallMs, long killMs, long retried, List<String> problems) {
            List<Long> sorted = latencies.stream().sorted().toList();
            StringBuilder b = new StringBuilder();
            b.append("Run of ").append(Instant.now()).append(": ").append(jobs).append(" jobs from ").append(clients)
                    .append(" concurrent clients; one executor killed (SIGKILL) after ").append(jobs / 2)
                    .append(" submissions, ").append(killMs / 1000.0).append(" s in.\n\n")
                    .append("| figure | value |\n|---|---|\n")
                    .append("| wall time | ").append(wallMs / 1000.0).append(" s |\n")
                    .append("| throughput | ").append(String.format("%.1f", jobs * 1000.0 / wallMs)).append(" jobs/s |\n")
                    .append("| submit → end, p50 / p95 / p99 / max | ").append(pct(sorted, 50)).append(" / ")
                    .append(pct(sorted, 95)).append(" / ").append(pct(sorted, 99)).append(" / ")
                    .append(sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1)).append(" ms |\n")
                    .append("| end states | ").append(states).append(" |\n")
                    .append("| runs per job (attempt) | ").append(attempts).append(" |\n")
                    .append("| jobs per node | ").append(nodes).append(" |\n")
                    .append("| errors by reason | ").append(errors.isEmpty() ? "none" : errors).append(" |\n")
                    .append("| client calls retried (503 or broken connection) | ").append(retried).append(" |\n")
                    .append("| problems found | ").append(problems.size()).append(" |\n");
            problems.stream().limit(20).forEach(p -> b.append("\n- ").append(p));
            return b.append('\n').toString();
        }

        private static long pct(List<Long> sorted, int p) {
            return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
        }
    }
}
