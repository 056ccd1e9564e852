package io.boxq.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the test suite of another client ({@code clients/python}, {@code clients/typescript}) as a
 * child process against the {@link LiveServer}, with {@code BOXQ_URL} and {@code BOXQ_ADMIN_KEY} in
 * its environment; its output goes to {@code target/it-logs/<name>.log} and, when it fails, into the
 * assertion message.
 */
final class OtherClientSuite {
    /** The repo's {@code clients/} (failsafe runs in {@code client/}). */
    static final Path CLIENTS = Path.of("..", "clients").toAbsolutePath().normalize();
    private static final long TIMEOUT_MINUTES = 5;

    private OtherClientSuite() {}

    static void run(String name, Path dir, List<String> command) throws IOException, InterruptedException {
        Path logs = Files.createDirectories(Path.of("target", "it-logs"));
        Path log = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("BOXQ_URL", LiveServer.url());
        pb.environment().put("BOXQ_ADMIN_KEY", LiveServer.adminKey());
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(command.get(0) + " is not installed (scripts/setup.sh --for test installs it)", e);
        }
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(name + " still running after " + TIMEOUT_MINUTES + " min; see " + log.toAbsolutePath());
        }
        assertThat(p.exitValue()).as("%s exit status; its output (%s):%n%s", name, log.toAbsolutePath(),
                Files.readString(log)).isZero();
    }
}
