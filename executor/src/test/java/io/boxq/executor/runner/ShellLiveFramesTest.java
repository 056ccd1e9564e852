package io.boxq.executor.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.OutputChunk;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The host's side of live output against a scripted runner (no container): what whole frames
 * deliver, when ticks are sent, and that frames a runner should not send break it.
 */
class ShellLiveFramesTest {
    private static final int LIMIT = 10;

    private final ShellStream stream = new ShellStream("test");
    private final ShellStdin stdin = new ShellStdin();
    private final ShellCommandRunner runner = new ShellCommandRunner("test", stream, stdin);
    private final List<OutputChunk> chunks = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        runner.close();
    }

    private RunRequest request(boolean live) {
        RunRequest plain = new RunRequest("x", "sh", Map.of(), "/", new byte[0], Duration.ofSeconds(5), LIMIT);
        return live ? plain.withLive(chunks::add) : plain;
    }

    /** The next request's line, as the runner's reader would see it. */
    private String request() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = stdin.read(); b != '\n' && b >= 0; b = stdin.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private void answer(String text) {
        stream.offer(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void whole_frames_reach_the_listener_with_their_offsets_and_ticks_ask_for_them() throws Exception {
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> runner.run(request(true)));
        String n = request().split(" ")[0];
        long asked = System.nanoTime();

        assertThat(request()).isEqualTo(n + " tick 0 0 0");
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isGreaterThanOrEqualTo(Duration.ofMillis(80));
        answer(n + " part 1\nab" + n + " 1\n" + n + " part 2\n" + n + " 2\n" + n + " part 1\ncd" + n + " 1\n");
        assertThat(request()).isEqualTo(n + " tick 0 0 0");
        answer(n + " done 0 1500\nabcde" + n + " 1\nerr" + n + " 2\n");

        CommandResult result = run.get();
        assertThat(new String(result.stdout(), StandardCharsets.UTF_8)).isEqualTo("abcde");
        assertThat(chunks).extracting(c -> c.stream() + "@" + c.offset() + ":" + new String(c.data()))
                .containsExactly("STDOUT@0:ab", "STDOUT@2:cd");
        assertThat(runner.alive()).isTrue();
    }

    @Test
    void a_frame_past_the_output_limit_breaks_the_runner() {
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> runner.run(request(true)));
        String n = request().split(" ")[0];
        answer(n + " part 1\n0123456" + n + " 1\n" + n + " part 1\n0123" + n + " 1\n");

        assertThat(catchThrowable(run::join)).hasCauseInstanceOf(RunnerFailedException.class);
        assertThat(runner.alive()).isFalse();
        assertThat(chunks).hasSize(1);
    }

    @Test
    void a_frame_in_a_run_that_did_not_ask_for_live_output_breaks_the_runner() {
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> runner.run(request(false)));
        String n = request().split(" ")[0];
        answer(n + " part 1\nab" + n + " 1\n");

        assertThat(catchThrowable(run::join)).hasCauseInstanceOf(RunnerFailedException.class);
        assertThat(runner.alive()).isFalse();
    }

    @Test
    void a_frame_of_another_part_or_another_nonce_breaks_the_runner() {
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> runner.run(request(true)));
        String n = request().split(" ")[0];
        answer(n + " part 3\nab" + n + " 3\n");

        assertThat(catchThrowable(run::join)).hasCauseInstanceOf(RunnerFailedException.class);
        assertThat(chunks).isEmpty();
    }
}
