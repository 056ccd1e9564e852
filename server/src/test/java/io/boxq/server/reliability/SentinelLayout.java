package io.boxq.server.reliability;

import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A primary, a replica and three Sentinels of the test's own ({@code scripts/redis-ha.sh}, the real
 * Debian binaries), on free loopback ports in a temporary directory; Sentinel's
 * down-after-milliseconds is 2000. Never the shared Redis.
 */
final class SentinelLayout implements AutoCloseable {
    static final String MASTER = "boxq";
    private static final Path SCRIPT = Path.of("..", "scripts", "redis-ha.sh");

    private final Path dir;
    private final int primary = TestEnvironment.freePort();
    private final int replica = TestEnvironment.freePort();
    private final List<Integer> sentinels =
            List.of(TestEnvironment.freePort(), TestEnvironment.freePort(), TestEnvironment.freePort());

    private SentinelLayout(Path dir) {
        this.dir = dir;
    }

    /** Starts it; returns once the replica is in sync and every Sentinel knows all the others. */
    static SentinelLayout start() {
        try {
            SentinelLayout layout = new SentinelLayout(Files.createTempDirectory("boxq-redis-ha-"));
            layout.script("start", "--ports", layout.primary + "," + layout.replica + ","
                    + layout.sentinels.get(0) + "," + layout.sentinels.get(1) + "," + layout.sentinels.get(2),
                    "--master-name", MASTER, "--down-after-ms", "2000");
            return layout;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code REDIS_SENTINELS} for boxq. */
    String sentinelsSetting() {
        return String.join(",", sentinels.stream().map(p -> "127.0.0.1:" + p).toList());
    }

    /** The port of the primary the Sentinels name now (asks the first that answers). */
    int currentPrimary() {
        for (int port : sentinels) {
            try (Jedis s = new Jedis("127.0.0.1", port, 1000)) {
                HostAndPort addr = HostAndPort.from(String.join(":", s.sentinelGetMasterAddrByName(MASTER)));
                return addr.getPort();
            } catch (JedisException e) {
                // the next one
            }
        }
        throw new IllegalStateException("no Sentinel answers");
    }

    int primaryPort() {
        return primary;
    }

    /**
     * Cuts the replica off from the primary (it follows a port nothing listens on), as a replica
     * that lags behind is: what the primary takes from now on, the replica does not have. The
     * Sentinels still count it as a replica they may promote.
     */
    void detachReplica() {
        try (Jedis j = connect(replica)) {
            j.replicaof("127.0.0.1", TestEnvironment.freePort());
        }
    }

    /** SIGKILL to the Redis on {@code port}; returns once it is gone. */
    void kill(int port) {
        long pid = Long.parseLong(read(dir.resolve("redis-" + port + ".pid")).trim());
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        p.destroyForcibly();
        try {
            p.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("redis " + pid + " survived SIGKILL", e);
        }
    }

    /** Starts the Redis of {@code port} again, a replica of the primary of the moment. */
    void restart(int port) {
        script("restart", Integer.toString(port));
    }

    Jedis connect(int port) {
        return new Jedis("127.0.0.1", port, 5000);
    }

    private void script(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--dir", dir.toString()));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("script.log").toFile())).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("redis-ha.sh " + String.join(" ", args) + " failed:\n"
                        + read(dir.resolve("script.log")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every process of it and deletes its directory. */
    @Override
    public void close() {
        try {
            script("stop");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
