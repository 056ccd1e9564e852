package io.boxq.server.cost;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.reliability.PrivateRedis;
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
     * The target is ≤ 25; the path costs 28.2 now (docs/benchmarks.md). The slack is for the node's
     * periodic work that falls unevenly into the busy and the idle interval: one more command per
     * job on this path fails the test.
     */
    private static final double MAX_COMMANDS_PER_JOB = 29.5;
    /** 7 on this path: the woken long-poll no longer reads the job again. */
    private static final double MAX_ROUND_TRIPS_PER_JOB = 7.5;
    private static final int WARM_UP = 20;
    private static final int JOBS = 200; // the more jobs, the less the periodic work weighs per job

    private static PrivateRedis redis;
    private static BoxqTestServer server;
    private static String key;
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
        Counts idle = measure(() -> Thread.sleep(busy.millis));

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
        Jedis monitor = new Jedis("127.0.0.1", port);
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            try {
                monitor.monitor(new JedisMonitor() {
                    @Override
                    public void onCommand(String command) {
                        if (command.contains(server.prefix()) && !command.contains(" lua]")) {
                            topLevel.incrementAndGet();
                        }
                    }
                });
            } catch (RuntimeException e) {
                // closed below
            }
        });
        Thread.sleep(200); // MONITOR is in place
        Map<String, Long> before = commandStats();
        long t0 = System.nanoTime();
        work.run();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Long> after = commandStats();
        Thread.sleep(200); // the last MONITOR lines arrive
        monitor.disconnect();
        watcher.join(5_000);
        long commands = 0;
        for (var e : after.entrySet()) {
            if (!e.getKey().equals("info") && !e.getKey().equals("monitor")) {
                commands += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
        }
        return new Counts(commands, topLevel.get(), millis);
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
