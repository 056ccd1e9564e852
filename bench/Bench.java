import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load side of scripts/bench.sh: talks to a running boxq over HTTP and prints one JSON object.
 * Run with the JDK's source launcher: java bench/Bench.java MODE BASE_URL KEY [args].
 *
 * Modes:
 *   latency N          N sequential `echo hi` jobs: submit, then GET ?wait=30 → p50/p90/p99 ms of the
 *                      whole job, and under "submit" of the POST alone, after min(WARM_UP, N)
 *                      unmeasured ones (a server that has run a few hundred jobs)
 *   throughput N C [HOOK]
 *                      N jobs from C concurrent clients (submit + wait each) → jobs/s, after 50
 *                      unmeasured ones; HOOK (a shell command) runs as `HOOK before` right before
 *                      the measured jobs and `HOOK after` right after them (the cost snapshots)
 *   sandboxes N        N sandbox creates (each deleted right after) → p50/p90 ms of the create
 *   hold N [C]         creates N sandboxes from C concurrent clients (default 1) and keeps them; a
 *                      503 is retried a second later (HOLD_RETRIES times) and counted
 */
public final class Bench {
    /** Jobs run before a latency run is measured: the JIT compiles the hot path over the first few hundred. */
    static final int WARM_UP = 500;
    /** How often hold retries one create that the node answered with 503. */
    static final int HOLD_RETRIES = 60;
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern STATE = Pattern.compile("\"state\":\"([a-z_]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String base = args[1];
        String key = args[2];
        switch (mode) {
            case "latency" -> latency(base, key, Integer.parseInt(args[3]));
            case "throughput" -> throughput(base, key, Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    args.length > 5 ? args[5] : null);
            case "sandboxes" -> sandboxes(base, key, Integer.parseInt(args[3]));
            case "hold" -> hold(base, key, Integer.parseInt(args[3]), args.length > 4 ? Integer.parseInt(args[4]) : 1);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    static void latency(String base, String key, int n) throws Exception {
        for (int i = 0; i < Math.min(WARM_UP, n); i++) { // unmeasured: the server's JIT warms up on these
            runJob(base, key);
        }
        List<Double> ms = new ArrayList<>();
        List<Double> submitMs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            runJob(base, key, submitMs);
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        String all = percentiles(ms);
        System.out.println(all.substring(0, all.length() - 1) + ", \"submit\": " + percentiles(submitMs) + "}");
    }

    /** {@code n} unmeasured jobs from {@code clients} clients: what a server's JIT needs to compile the job path. */
    static void warmUp(String base, String key, int n, int clients) throws Exception {
        AtomicInteger left = new AtomicInteger(n);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        runJob(base, key);
                    }
                    return null;
                });
            }
        }
    }

    static void throughput(String base, String key, int n, int clients, String hook) throws Exception {
        warmUp(base, key, Integer.getInteger("bench.warmup", 50), clients); // -Dbench.warmup: unmeasured jobs first
        hook(hook, "before");
        AtomicInteger left = new AtomicInteger(n);
        AtomicInteger failed = new AtomicInteger();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                fs.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        try {
                            if (!"succeeded".equals(runJob(base, key))) {
                                failed.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        hook(hook, "after");
        System.out.printf(Locale.ROOT, "{\"jobs\": %d, \"clients\": %d, \"seconds\": %.3f, \"jobs_per_s\": %.1f, \"failed\": %d}%n",
                n, clients, seconds, n / seconds, failed.get());
    }

    static void sandboxes(String base, String key, int n) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = send(base, key, "POST", "/v1/sandboxes", "{}");
            ms.add((System.nanoTime() - t0) / 1e6);
            if (r.statusCode() != 201) {
                throw new IllegalStateException("create: " + r.statusCode() + " " + r.body());
            }
            send(base, key, "DELETE", "/v1/sandboxes/" + first(ID, r.body()), null);
        }
        System.out.println(percentiles(ms));
    }

    static void hold(String base, String key, int n, int clients) throws Exception {
        AtomicInteger left = new AtomicInteger(n);
        AtomicInteger made = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    int i;
                    while ((i = left.getAndDecrement()) > 0) {
                        // A 503 while the node's own warm-ups still count against its maximum is retried
                        // (a second apart, HOLD_RETRIES times at most) and counted.
                        for (int attempt = 0; ; attempt++) {
                            try {
                                HttpResponse<String> r = send(base, key, "POST", "/v1/sandboxes", "{\"ttl_s\": 3600, \"idle_timeout_s\": 3600}");
                                if (r.statusCode() == 201) {
                                    made.incrementAndGet();
                                } else if (r.statusCode() == 503 && attempt < HOLD_RETRIES) {
                                    retries.incrementAndGet();
                                    Thread.sleep(1000);
                                    continue;
                                } else {
                                    System.err.println("create " + i + ": " + r.statusCode() + " " + r.body());
                                }
                            } catch (Exception e) {
                                System.err.println("create " + i + ": " + e);
                            }
                            break;
                        }
                    }
                    return null;
                });
            }
        }
        System.out.printf(Locale.ROOT, "{\"held\": %d, \"seconds\": %.1f, \"retries_503\": %d}%n", made.get(),
                (System.nanoTime() - t0) / 1e9, retries.get());
    }

    /** Runs `HOOK PHASE` through the shell and waits for it; a failing hook fails the run. */
    static void hook(String hook, String phase) throws Exception {
        if (hook == null || hook.isBlank()) {
            return;
        }
        Process p = new ProcessBuilder("sh", "-c", hook + " " + phase).inheritIO()
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("hook " + phase + " exited with " + p.exitValue());
        }
    }

    /** Submits `echo hi` and waits for its end; returns the final state. */
    static String runJob(String base, String key) throws Exception {
        return runJob(base, key, null);
    }

    /** The same, adding the submit's own time (POST /v1/jobs answered) to submitMs when given. */
    static String runJob(String base, String key, List<Double> submitMs) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> submit = send(base, key, "POST", "/v1/jobs", "{\"command\": \"echo hi\"}");
        if (submitMs != null) {
            submitMs.add((System.nanoTime() - t0) / 1e6);
        }
        if (submit.statusCode() != 202) {
            throw new IllegalStateException("submit: " + submit.statusCode() + " " + submit.body());
        }
        String id = first(ID, submit.body());
        HttpResponse<String> done = send(base, key, "GET", "/v1/jobs/" + id + "?wait=30", null);
        return first(STATE, done.body());
    }

    static HttpResponse<String> send(String base, String key, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("unexpected answer: " + text);
        }
        return m.group(1);
    }

    static String percentiles(List<Double> ms) {
        Collections.sort(ms);
        return String.format(Locale.ROOT, "{\"n\": %d, \"p50\": %.2f, \"p90\": %.2f, \"p99\": %.2f, \"max\": %.2f}",
                ms.size(), at(ms, 0.50), at(ms, 0.90), at(ms, 0.99), ms.get(ms.size() - 1));
    }

    static double at(List<Double> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
}
