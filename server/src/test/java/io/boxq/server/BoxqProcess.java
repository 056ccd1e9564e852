package io.boxq.server;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
 * log file under {@code target/it-logs}, and exactly the environment a test gives it. The jar is
 * copied once per test JVM first, so a build that rewrites {@code target/boxq.jar} meanwhile cannot
 * pull it from under a running process.
 */
public final class BoxqProcess implements AutoCloseable {
    public static final Path LOGS = Path.of("target/it-logs");
    /** The jar {@code package} built; {@code -Dboxq.it.jar=<path>} runs another build of it. */
    private static final Path JAR = Path.of(System.getProperty("boxq.it.jar", "target/boxq.jar"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static Path copied;

    public final String name;
    /** Its {@code WORKER_ID} (null when the environment it was given has none). */
    public final String workerId;
    public final BoxqClient client;
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
    public static BoxqProcess launch(String name, Map<String, String> env, String role, String workerId) {
        Map<String, String> own = new java.util.HashMap<>(env);
        own.put("BOXQ_ROLES", role);
        own.put("WORKER_ID", workerId);
        return launch(name, own);
    }

    /** Like {@link #launch(String, Map, String, String)}, with the roles and worker id (if any) {@code env} names. */
    public static BoxqProcess launch(String name, Map<String, String> env) {
        try {
            Files.createDirectories(LOGS);
            Path log = LOGS.resolve(name + ".log");
            int port = TestEnvironment.freePort();
            ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar",
                    jar().toString())
                    .directory(LOGS.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> processEnv = pb.environment();
            processEnv.keySet().removeIf(v -> !List.of("PATH", "HOME", "LANG", "TMPDIR").contains(v));
            processEnv.putAll(env);
            processEnv.put("HOST", "127.0.0.1");
            processEnv.put("PORT", Integer.toString(port));
            return new BoxqProcess(name, env.get("WORKER_ID"), port, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until /health answers 200 "healthy" (an api with no live node says "degraded": also up). */
    public JsonNode awaitUp() {
        return await(name + " /health").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .failFast(name + " exited; see " + log.toAbsolutePath(), () -> !process.isAlive())
                .ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(() -> client.get("/health", null), r -> r.status() == 200)
                .json();
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Its log file: what it wrote to stdout and stderr. */
    public Path log() {
        return log;
    }

    public List<String> lines() {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exit code once it exited on its own within {@code limit}. */
    public int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + ": still running after " + limit);
        }
        return process.exitValue();
    }

    /** SIGKILL, and waits until the process is gone: nothing of it runs after this returns. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " survived SIGKILL for 30 s");
        }
    }

    /** SIGTERM; true when it exited within {@code grace}. */
    public boolean stop(Duration grace) throws InterruptedException {
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
