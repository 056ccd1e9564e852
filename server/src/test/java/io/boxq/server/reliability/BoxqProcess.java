package io.boxq.server.reliability;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One boxq process of the built jar ({@code BOXQ_ROLES} = api or executor), with its own port and
 * log file under {@code target/it-logs}. The jar is copied once per test JVM first, so a build
 * that rewrites {@code target/boxq.jar} meanwhile cannot pull it from under a running process.
 */
final class BoxqProcess implements AutoCloseable {
    static final Path LOGS = Path.of("target/it-logs");
    /** The jar {@code package} built; {@code -Dboxq.it.jar=<path>} runs another build of it. */
    private static final Path JAR = Path.of(System.getProperty("boxq.it.jar", "target/boxq.jar"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static Path copied;

    final String name;
    final String workerId;
    final BoxqClient client;
    private final Process process;
    private final Path log;

    private BoxqProcess(String name, String workerId, int port, Process process, Path log) {
        this.name = name;
        this.workerId = workerId;
        this.process = process;
        this.log = log;
        this.client = new BoxqClient(URI.create("http://127.0.0.1:" + port));
    }

    /**
     * Starts {@code java -jar boxq.jar} with exactly {@code env} (plus PATH, HOME, LANG, TMPDIR),
     * the given role and worker id, on a free port. Does not wait for it to be up.
     */
    static BoxqProcess launch(String name, Map<String, String> env, String role, String workerId) {
        try {
            Files.createDirectories(LOGS);
            Path log = LOGS.resolve(name + ".log");
            int port = io.boxq.server.TestEnvironment.freePort();
            ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar",
                    jar().toString())
                    .directory(LOGS.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> processEnv = pb.environment();
            processEnv.keySet().removeIf(v -> !List.of("PATH", "HOME", "LANG", "TMPDIR").contains(v));
            processEnv.putAll(env);
            processEnv.put("BOXQ_ROLES", role);
            processEnv.put("WORKER_ID", workerId);
            processEnv.put("HOST", "127.0.0.1");
            processEnv.put("PORT", Integer.toString(port));
            return new BoxqProcess(name, workerId, port, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until /health answers 200 "healthy" (an api with no live node says "degraded": also up). */
    JsonNode awaitUp() {
        return await(name + " /health").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .failFast(name + " exited; see " + log.toAbsolutePath(), () -> !process.isAlive())
                .ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(() -> client.get("/health", null), r -> r.status() == 200)
                .json();
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits until the process is gone: nothing of it runs after this returns. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " survived SIGKILL for 30 s");
        }
    }

    /** SIGTERM; true when it exited within {@code grace}. */
    boolean stop(Duration grace) throws InterruptedException {
        process.destroy();
        return process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
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

    private static synchronized Path jar() throws IOException {
        if (copied == null) {
            if (!Files.isRegularFile(JAR)) {
                throw new IllegalStateException(JAR.toAbsolutePath() + " is missing (failsafe runs after package)");
            }
            Path dir = Files.createDirectories(Path.of("target/it-jars"));
            Path target = dir.resolve("boxq-" + UUID.randomUUID().toString().substring(0, 8) + ".jar");
            Files.copy(JAR, target, StandardCopyOption.REPLACE_EXISTING);
            target.toFile().deleteOnExit();
            copied = target.toAbsolutePath();
        }
        return copied;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
