package io.boxq.server.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium, one process per call, with a fresh profile and no background
 * networking (the machine has no internet). Each run is bounded: past {@link #TIMEOUT} the whole
 * process tree is killed and the call fails. What Chromium prints on stderr is kept in a file and
 * shown only when it fails.
 */
final class HeadlessChromium {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Path workDir;

    HeadlessChromium(Path workDir) {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError(BINARY + " is missing: the dashboard test needs Debian's Chromium "
                    + "(`scripts/setup.sh --for test` installs it, or `apt-get install -y chromium chromium-driver`)");
        }
        this.workDir = workDir;
    }

    /** The DOM after the page's scripts ran for {@code budget} of virtual time. */
    String dumpDom(String url, Duration budget) {
        return run("dom", List.of("--virtual-time-budget=" + budget.toMillis(), "--dump-dom", url));
    }

    /** A PNG of the viewport ({@code width}×{@code height}) after {@code budget} of virtual time. */
    void screenshot(String url, Path png, int width, int height, Duration budget) {
        run("screenshot", List.of("--virtual-time-budget=" + budget.toMillis(), "--hide-scrollbars",
                "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath(), url));
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("Chromium wrote no screenshot at " + png);
        }
    }

    private String run(String name, List<String> args) {
        try {
            Path profile = Files.createTempDirectory(workDir, "chromium-profile-");
            Path out = workDir.resolve(name + ".stdout");
            Path err = workDir.resolve(name + ".stderr");
            List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                    "--no-default-browser-check", "--user-data-dir=" + profile));
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("Chromium did not finish " + name + " within " + TIMEOUT.toSeconds()
                            + " s; stderr:\n" + tail(err));
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("Chromium exited " + p.exitValue() + " on " + name + "; stderr:\n" + tail(err));
                }
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                killTree(p);
                deleteTree(profile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
