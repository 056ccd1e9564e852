package io.boxq.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.boxq.core.config.RedisConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@link Redis#acknowledged} against a primary and a replica of the test's own (never the shared
 * Redis). The replica stays connected but stops answering for 6 s ({@code DEBUG SLEEP}): a
 * WAIT on the write's own connection then times out, where a WAIT on a connection that wrote
 * nothing would have counted the replica at once.
 */
class AcknowledgedWriteIT {
    private static final ProtocolCommand DEBUG = () -> "DEBUG".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final List<Process> processes = new ArrayList<>();
    private static Path dir;
    private static int primary;
    private static int replica;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("boxq-ack-");
        primary = freePort();
        replica = freePort();
        processes.add(redisServer(primary));
        processes.add(redisServer(replica, "--replicaof", "127.0.0.1", Integer.toString(primary)));
        await("the replica in sync").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(JedisException.class)
                .until(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", replica, 500)) {
                        return j.info("replication").contains("master_link_status:up");
                    }
                });
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
            p.waitFor();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void a_write_waits_for_the_replica_on_its_own_connection_and_fails_when_it_does_not_confirm() {
        RedisConfig config = new RedisConfig("redis://127.0.0.1:" + primary, "test-ack:", List.of(), null, null, null,
                1, Duration.ofMillis(1500));
        try (Redis redis = new Redis(config, 4)) {
            // a loaded machine may take its time with the first confirmation: only the refusal below is timed
            await("a write confirmed by the replica in sync").atMost(Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(WriteNotAcknowledgedException.class)
                    .until(() -> "OK".equals(redis.acknowledged(j -> j.set("test-ack:a", "1"))));

            CompletableFuture<Void> asleep = CompletableFuture.runAsync(() -> {
                try (Jedis j = new Jedis("127.0.0.1", replica, 15_000)) {
                    j.sendCommand(DEBUG, "SLEEP", "6"); // longer than the WAIT timeout of 1.5 s, with room
                }
            });
            await("the replica asleep").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> replicaBusy());
            try (Jedis other = new Jedis("127.0.0.1", primary, 5000)) {
                assertThat(other.waitReplicas(1, 300)).as("WAIT on a connection that wrote nothing proves nothing")
                        .isEqualTo(1);
            }
            assertThatThrownBy(() -> redis.acknowledged(j -> j.set("test-ack:b", "2")))
                    .isInstanceOf(WriteNotAcknowledgedException.class)
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("0 of 1 replicas");
            asleep.join();

            await("confirmed again once the replica answers").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(WriteNotAcknowledgedException.class)
                    .until(() -> "OK".equals(redis.acknowledged(j -> j.set("test-ack:c", "3"))));
        }
    }

    /** True while the replica does not answer within 200 ms (it sleeps in DEBUG SLEEP). */
    private static boolean replicaBusy() {
        try (Jedis j = new Jedis("127.0.0.1", replica, 200)) {
            j.ping();
            return false;
        } catch (JedisException e) {
            return true;
        }
    }

    private static Process redisServer(int port, String... more) throws IOException {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--enable-debug-command", "local", "--repl-diskless-sync-delay", "0"));
        command.addAll(List.of(more));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
        await("redis-server on " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .failFast(() -> !p.isAlive()).ignoreExceptionsInstanceOf(JedisException.class)
                .until(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", port, 500)) {
                        return "PONG".equals(j.ping());
                    }
                });
        return p;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
