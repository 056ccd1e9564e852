package io.boxq.server.reliability;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code dockerd} of the test's own: its socket, data root, exec root and containerd namespace in
 * a temporary directory, no bridge and no iptables rules, so it can be stopped and started again
 * (what an engine restart does to a node) without touching the shared engine or any other test's
 * containers. It starts with the images it is given copied from the shared engine
 * ({@code docker save | docker load}). {@link #close()} removes everything it holds.
 */
final class PrivateDockerEngine implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final Path socket;
    private Process process;

    private PrivateDockerEngine(Path dir) {
        this.dir = dir;
        this.socket = dir.resolve("docker.sock");
    }

    /** Starts an engine and loads {@code images} into it from the shared engine. */
    static PrivateDockerEngine start(List<String> images) {
        try {
            PrivateDockerEngine engine = new PrivateDockerEngine(Files.createTempDirectory("boxq-dockerd-"));
            engine.start();
            for (String image : images) {
                engine.run("docker save " + image + " | docker -H " + engine.host() + " load -q");
            }
            return engine;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Its address, for {@code DOCKER_HOST}. */
    String host() {
        return "unix://" + socket;
    }

    /**
     * Stops the engine the way a restart does (SIGTERM: it stops every container, which the boxq
     * node sees die under it) and starts it again on the same data root.
     */
    void restart() {
        stop();
        start();
    }

    private void start() {
        try {
            process = new ProcessBuilder("dockerd", "--host", host(), "--data-root", dir.resolve("data").toString(),
                    "--exec-root", dir.resolve("exec").toString(), "--pidfile", dir.resolve("dockerd.pid").toString(),
                    "--bridge=none", "--iptables=false", "--ip-masq=false", "--shutdown-timeout", "2",
                    "--containerd-namespace", "boxq-it-" + dir.getFileName(),
                    "--containerd-plugins-namespace", "boxq-it-plugins-" + dir.getFileName())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("dockerd could not be started (scripts/setup.sh installs docker.io)", e);
        }
        await("the private dockerd answers").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .failFast("dockerd exited; see " + dir.resolve("dockerd.log"), () -> !process.isAlive())
                .until(() -> quietly("docker -H " + host() + " version --format '{{.Server.Version}}'") == 0);
    }

    /**
     * Ends the container shims of this engine's containerd namespace that outlived it, with what
     * runs under them: a container the engine was starting when it stopped leaves its shim and a
     * {@code runc init} waiting for a start that never comes (CI found them after this test).
     */
    private void killLeftoverShims() {
        String namespace = "-namespace boxq-it-" + dir.getFileName() + " ";
        List<ProcessHandle> shims = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("containerd-shim") && c.contains(namespace))
                        .orElse(false))
                .toList();
        for (ProcessHandle shim : shims) {
            shim.descendants().forEach(ProcessHandle::destroyForcibly);
            shim.destroyForcibly();
        }
    }

    /** Unmounts what such a container left mounted under the engine's directory (its root filesystem). */
    private void unmountLeftovers() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 1 && fields[1].startsWith(dir.toString() + "/")) {
                    quietly("umount -l '" + fields[1] + "'");
                }
            }
        } catch (IOException e) {
            // nothing to read: nothing to unmount
        }
    }

    /** Sends the engine SIGTERM and returns: it closes its socket and stops its containers. */
    void beginStop() {
        process.destroy();
    }

    /** Whether its process still runs (a stopping engine does, until its containers are stopped). */
    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Whether its socket is there to connect to (a stopping engine removes it first). */
    boolean listens() {
        return Files.exists(socket);
    }

    private void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        beginStop();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Removes every container and image it holds, stops it and deletes its directory. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            quietly("docker -H " + host() + " ps -aq | xargs -r docker -H " + host() + " rm -f");
            quietly("docker -H " + host() + " images -q | xargs -r docker -H " + host() + " rmi -f");
        }
        stop();
        killLeftoverShims();
        unmountLeftovers();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is not worth failing the test for
        }
    }

    private void run(String shell) {
        int rc = quietly(shell);
        if (rc != 0) {
            throw new IllegalStateException("`" + shell + "` failed with " + rc + "; see " + dir.resolve("dockerd.log"));
        }
    }

    private static int quietly(String shell) {
        try {
            Process p = new ProcessBuilder("sh", "-c", shell).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
