package io.boxq.server.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.reliability.PrivateRedis;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;

/**
 * What one plain {@code echo hi} job costs Redis (submit, dispatch, start, result and completion,
 * long-poll, ack), counted as {@code INFO commandstats} counts it (commands inside Lua scripts
 * included, the script call itself as one) on a Redis of the test's own, so nothing else adds to
 * it. The node's own background work (its read loops, the webhook poll) is measured over an idle
 * interval of the same length and taken off. Round trips are the commands the server's connections
 * sent (MONITOR lines not made inside a script; no pipeline is on this path, so each is one round
 * trip). Counting is deterministic: the budget is an assertion, not a timing.
 */
class RedisBudgetIT {
    /**
     * The target is ≤ 25; the path costs 26.4 now (docs/benchmarks.md). The slack is for the node's
     * periodic work that falls unevenly into the busy and the idle interval: one more command per
     * job on this path fails the test.
     */
    private static final double MAX_COMMANDS_PER_JOB = 27.2;
    /**
     * 5.25 on this path: the rate limit takes its places a block at a time (the free tier's 600 a
     * minute, blocks of 9), so the submit's and the long-poll's counting cost 0.25 round trips, not 2.
     */
    private static final double MAX_ROUND_TRIPS_PER_JOB = 5.5;
    private static final int WARM_UP = 20;
    private static final int JOBS = 200; // the more jobs, the less the periodic work weighs per job

    private static PrivateRedis redis;
    private static BoxqTestServer server;
    private static String key;
    /** What the test's own ECHOs to MONITOR carry (they count nowhere). */
    private static final String MARKER = "redis-budget-marker-";
    private static int port;

    @BeforeAll
    static void start() {
        redis = new PrivateRedis().start();
        port = Integer.parseInt(redis.url().substring(redis.url().lastIndexOf(':') + 1));
        // A lease renewal (every lease timeout / 6) would land in the count on a slow machine: not here.
        server = BoxqTestServer.start("redis-budget", Map.of("REDIS_URL", redis.url(), "LEASE_TIMEOUT_SECONDS", "3600"));
        key = server.client.createKey(server.adminKey(), "budget", "free").path("key").asText();
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.stopAndAssertClean();
            }
        } finally {
            redis.close();
        }
    }

    @Test
    void a_plain_job_stays_within_its_redis_budget() throws Exception {
        BoxqClient client = server.client;
        for (int i = 0; i < WARM_UP; i++) {
            job(client);
        }
        Counts busy = measure(() -> {
            for (int i = 0; i < JOBS; i++) {
                job(client);
            }
        });
        // as long again with no jobs: the node's own periodic work, to take off (the wait is the measurement)
        Counts idle = measure(() -> await().during(Duration.ofMillis(busy.millis))
                .atMost(Duration.ofMillis(busy.millis).plusSeconds(5)).until(() -> true));

        double commands = (double) (busy.commands - idle.commands) / JOBS;
        double roundTrips = (double) (busy.topLevel - idle.topLevel) / JOBS;
        System.out.printf("per plain job: %.2f Redis commands, %.2f round trips (busy %s, idle %s)%n", commands,
                roundTrips, busy, idle);
        assertThat(commands).as("Redis commands per plain job").isLessThanOrEqualTo(MAX_COMMANDS_PER_JOB);
        assertThat(roundTrips).as("client round trips per plain job").isLessThanOrEqualTo(MAX_ROUND_TRIPS_PER_JOB);
    }

    private static void job(BoxqClient client) {
        String id = client.submit(key, Map.of("command", "echo hi")).path("id").asText();
        assertThat(client.awaitEnd(key, id).path("state").asText()).isEqualTo("succeeded");
    }

    private interface Work {
        void run() throws Exception;
    }

    private record Counts(long commands, long topLevel, long millis) {}

    /** Commands over {@code work} by commandstats, and the server's top-level ones by MONITOR. */
    private static Counts measure(Work work) throws Exception {
        AtomicLong topLevel = new AtomicLong();
        java.util.Set<String> markers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Jedis monitor = new Jedis("127.0.0.1", port);
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            try {
                monitor.monitor(new JedisMonitor() {
                    @Override
                    public void onCommand(String command) {
                        if (command.contains(MARKER)) {
                            markers.add(command.substring(command.indexOf(MARKER)));
                        } else if (command.contains(server.prefix()) && !command.contains(" lua]")) {
                            topLevel.incrementAndGet();
                        }
                    }
                });
            } catch (RuntimeException e) {
                // closed below
            }
        });
        mark("start", markers); // MONITOR is in place
        Map<String, Long> before = commandStats();
        long t0 = System.nanoTime();
        work.run();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Long> after = commandStats();
        mark("end", markers); // MONITOR has passed on every line before
        monitor.disconnect();
        watcher.join(5_000);
        long commands = 0;
        for (var e : after.entrySet()) {
            if (!e.getKey().equals("info") && !e.getKey().equals("monitor") && !e.getKey().equals("echo")) {
                commands += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
        }
        return new Counts(commands, topLevel.get(), millis);
    }

    /** An ECHO that MONITOR shows; returns once it did (sent again meanwhile: MONITOR may not be in place yet). */
    private static void mark(String what, java.util.Set<String> seen) {
        try (Jedis j = new Jedis("127.0.0.1", port)) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
                j.echo(MARKER + what);
                return seen.stream().anyMatch(m -> m.startsWith(MARKER + what));
            });
        }
    }

    private static Map<String, Long> commandStats() {
        Map<String, Long> calls = new HashMap<>();
        try (Jedis j = new Jedis("127.0.0.1", port)) {
            for (String line : j.info("commandstats").split("\r?\n")) {
                if (line.startsWith("cmdstat_")) {
                    String name = line.substring(8, line.indexOf(':'));
                    int from = line.indexOf("calls=") + 6;
                    calls.put(name, Long.parseLong(line.substring(from, line.indexOf(',', from))));
                }
            }
        }
        return calls;
    }
}
