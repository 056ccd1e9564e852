package io.boxq.server.observability;

import static org.awaitility.Awaitility.await;

import io.boxq.server.BoxqClient;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code java -jar target/boxq.jar} with exactly the given environment, its output in a log file. */
final class JarProcess implements AutoCloseable {
    private static final Path JAR = Path.of(System.getProperty("boxq.it.jar", "target/boxq.jar"));
    static final Path LOGS = Path.of("target/it-logs");

    final BoxqClient client;
    final Path log;
    private final Process process;

    private JarProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.client = new BoxqClient(URI.create("http://127.0.0.1:" + port));
    }

    static JarProcess launch(String name, Map<String, String> env) {
        try {
            if (!Files.isRegularFile(JAR)) {
                throw new IllegalStateException(JAR.toAbsolutePath() + " is missing (failsafe runs after package)");
            }
            Files.createDirectories(LOGS);
            Path log = LOGS.resolve(name + ".log");
            int port = TestEnvironment.freePort();
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toAbsolutePath().toString())
                    .directory(LOGS.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().keySet().removeIf(v -> !List.of("PATH", "HOME", "LANG", "TMPDIR").contains(v));
            pb.environment().putAll(env);
            pb.environment().put("HOST", "127.0.0.1");
            pb.environment().put("PORT", Integer.toString(port));
            return new JarProcess(pb.start(), log, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void awaitUp() {
        await(log + " /health").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .failFast(log + ": the process exited", () -> !process.isAlive())
                .ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(() -> client.get("/health", null).status() == 200);
    }

    /** The exit code once it exited on its own within {@code limit}. */
    int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(log + ": still running after " + limit);
        }
        return process.exitValue();
    }

    /** SIGTERM and wait: the shutdown hook stops its roles. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    List<String> lines() {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
