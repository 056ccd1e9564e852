package io.boxq.executor.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.boxq.core.job.CommandResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The CPU time of a {@code done} answer, from a scripted runner (no container) to the result. */
class ShellDoneAnswerTest {
    private final ShellStream stream = new ShellStream("test");
    private final ShellStdin stdin = new ShellStdin();
    private final ShellCommandRunner runner = new ShellCommandRunner("test", stream, stdin);

    @AfterEach
    void close() {
        runner.close();
    }

    /** Starts a run and answers it with {@code done EXIT CPU}, then two empty parts. */
    private CompletableFuture<CommandResult> runAnswered(String exitAndCpu) {
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> runner.run(
                new RunRequest("x", "sh", Map.of(), "/", new byte[0], Duration.ofSeconds(5), 10)));
        String n = requestLine().split(" ")[0];
        stream.offer((n + " done " + exitAndCpu + "\nout" + n + " 1\n" + n + " 2\n").getBytes(StandardCharsets.US_ASCII));
        return run;
    }

    private String requestLine() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = stdin.read(); b != '\n' && b >= 0; b = stdin.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Test
    void the_measured_cpu_microseconds_reach_the_result() {
        CommandResult result = runAnswered("3 1250000").join();

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.cpuMicros()).isEqualTo(1_250_000L);
        assertThat(new String(result.stdout(), StandardCharsets.UTF_8)).isEqualTo("out");
        assertThat(runner.alive()).isTrue();
    }

    @Test
    void a_runner_that_cannot_read_its_cgroup_gives_a_result_with_unknown_cpu() {
        CommandResult result = runAnswered("0 -").join();

        assertThat(result.cpuMicros()).isNull();
        assertThat(runner.alive()).isTrue();
    }

    @Test
    void a_garbage_cpu_figure_breaks_the_runner_like_any_bad_answer() {
        Throwable thrown = catchThrowable(runAnswered("0 12ab")::join);

        assertThat(thrown).hasCauseInstanceOf(RunnerFailedException.class);
        assertThat(((RunnerFailedException) thrown.getCause()).commandStarted()).isTrue();
        assertThat(runner.alive()).isFalse();
    }

    @Test
    void a_done_answer_of_the_old_wire_format_breaks_the_runner() {
        assertThat(catchThrowable(runAnswered("0")::join)).hasCauseInstanceOf(RunnerFailedException.class);
        assertThat(runner.alive()).isFalse();
    }
}
