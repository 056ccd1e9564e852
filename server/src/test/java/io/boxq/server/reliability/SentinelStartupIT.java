package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.boxq.server.BoxqProcess;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/** A boxq whose Sentinels cannot name its primary does not start half-way: it exits, saying why. */
class SentinelStartupIT {
    private static final Duration EXITS_WITHIN = Duration.ofSeconds(60);

    @Test
    void sentinels_that_do_not_answer_stop_the_start_with_a_clear_message() throws Exception {
        String nobody = "127.0.0.1:" + TestEnvironment.freePort() + ",127.0.0.1:" + TestEnvironment.freePort();
        try (BoxqProcess boxq = BoxqProcess.launch("SentinelStartupIT-nobody", env(nobody, "boxq"))) {
            assertThat(boxq.awaitExit(EXITS_WITHIN)).isEqualTo(1);
            assertThat(String.join("\n", boxq.lines()))
                    .contains("boxq could not start: no primary found through REDIS_SENTINELS [" + nobody.replace(",", ", ")
                            + "] for REDIS_MASTER_NAME 'boxq'")
                    .contains("All sentinels down");
        }
    }

    @Test
    void a_master_name_the_sentinel_does_not_monitor_stops_the_start_with_a_clear_message() throws Exception {
        int port = TestEnvironment.freePort();
        Path dir = Files.createTempDirectory("boxq-sentinel-");
        Path conf = dir.resolve("sentinel.conf");
        // It monitors another name, at a port where nothing listens: it never sends to any Redis.
        Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\n"
                + "sentinel monitor other 127.0.0.1 " + TestEnvironment.freePort() + " 2\n");
        Process sentinel = new ProcessBuilder("redis-sentinel", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sentinel.log").toFile()).start();
        try {
            await("redis-sentinel on " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .failFast(() -> !sentinel.isAlive()).until(() -> answers(port));
            try (BoxqProcess boxq = BoxqProcess.launch("SentinelStartupIT-name", env("127.0.0.1:" + port, "boxq"))) {
                assertThat(boxq.awaitExit(EXITS_WITHIN)).isEqualTo(1);
                assertThat(String.join("\n", boxq.lines()))
                        .contains("boxq could not start: no primary found through REDIS_SENTINELS [127.0.0.1:" + port
                                + "] for REDIS_MASTER_NAME 'boxq'")
                        .contains("boxq seems to be not monitored");
            }
        } finally {
            sentinel.destroy();
            sentinel.waitFor();
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Map<String, String> env(String sentinels, String master) {
        Map<String, String> env = new HashMap<>(TestEnvironment.serverEnv("sentinel-start"));
        env.remove("REDIS_URL");
        env.put("REDIS_SENTINELS", sentinels);
        env.put("REDIS_MASTER_NAME", master);
        return env;
    }

    private static boolean answers(int port) {
        try (Jedis j = new Jedis("127.0.0.1", port, 500)) {
            return "PONG".equals(j.ping());
        } catch (JedisException e) {
            return false;
        }
    }
}
