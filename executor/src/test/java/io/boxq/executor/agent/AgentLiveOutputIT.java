package io.boxq.executor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.job.CommandResult;
import io.boxq.executor.runner.RunRequest;
import io.boxq.core.job.OutputChunk;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Live output of the shell runner ({@code stream} runs) in busybox and in Debian's dash. */
class AgentLiveOutputIT {
    static final int LIMIT = 1 << 20;

    static AgentBoxes boxes;
    static Map<String, AgentCommandRunner> runners;

    @BeforeAll
    static void start() {
        boxes = new AgentBoxes("AgentLiveOutputIT");
        runners = boxes.startEach(AgentBoxes.BUSYBOX, AgentBoxes.BOOKWORM);
    }

    @AfterAll
    static void stop() throws Exception {
        boxes.close();
    }

    /** The chunks a run reported, with when each came. */
    record Seen(OutputChunk chunk, long atNanos) {}

    static CommandResult run(String image, String command, List<Seen> seen) {
        RunRequest request = new RunRequest(command, "sh", Map.of(), "/workspace", new byte[0], Duration.ofSeconds(20),
                LIMIT, chunk -> seen.add(new Seen(chunk, System.nanoTime())));
        return runners.get(image).run(request);
    }

    /** The bytes of one stream's chunks in the order they came, checking that each follows on from the last. */
    static byte[] joined(List<Seen> seen, OutputChunk.Stream stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Seen s : seen) {
            if (s.chunk().stream() == stream) {
                assertThat(s.chunk().offset()).as("offset of a %s chunk", stream).isEqualTo(out.size());
                out.writeBytes(s.chunk().data());
            }
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {AgentBoxes.BUSYBOX, AgentBoxes.BOOKWORM})
    void output_arrives_while_the_command_runs_as_a_prefix_of_the_result(String image) {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        CommandResult result = run(image, "echo one; printf 'err\\377' >&2; sleep 1.5; echo two; printf three", seen);
        long ended = System.nanoTime();

        assertThat(result.exitCode()).isZero();
        assertThat(seen).as("chunks").isNotEmpty();
        Seen first = seen.getFirst();
        assertThat(new String(first.chunk().data())).isIn("one\n", "err\377");
        assertThat(Duration.ofNanos(ended - first.atNanos())).as("time between the first chunk and the end")
                .isGreaterThan(Duration.ofMillis(1000));
        assertThat(result.stdout()).isEqualTo("one\ntwo\nthree".getBytes());
        // what came after the last look of the runner comes with the result only
        byte[] streamed = joined(seen, OutputChunk.Stream.STDOUT);
        assertThat(new String(streamed)).startsWith("one\n");
        assertThat(streamed).isEqualTo(Arrays.copyOf(result.stdout(), streamed.length));
        assertThat(joined(seen, OutputChunk.Stream.STDERR)).isEqualTo(result.stderr())
                .isEqualTo(new byte[] {'e', 'r', 'r', (byte) 0xff});
    }

    @ParameterizedTest
    @ValueSource(strings = {AgentBoxes.BUSYBOX, AgentBoxes.BOOKWORM})
    void output_written_a_few_bytes_at_a_time_is_handed_over_in_a_few_chunks(String image) {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        CommandResult result = run(image, "i=0; while [ $i -lt 300 ]; do echo $i; sleep 0.005; i=$((i+1)); done", seen);
        assertThat(result.exitCode()).isZero();
        assertThat(joined(seen, OutputChunk.Stream.STDOUT)).isEqualTo(Arrays.copyOf(result.stdout(),
                joined(seen, OutputChunk.Stream.STDOUT).length));
        // 300 lines over 1.5 s or more: a store per line would be 300 chunks; one per 250 ms is a handful
        assertThat(seen).as("chunks").isNotEmpty().hasSizeLessThan(40);
    }

    @ParameterizedTest
    @ValueSource(strings = {AgentBoxes.BUSYBOX, AgentBoxes.BOOKWORM})
    void a_short_command_sends_no_frames(String image) {
        int quick = 0;
        for (int i = 0; i < 20; i++) {
            List<Seen> seen = new CopyOnWriteArrayList<>();
            long t0 = System.nanoTime();
            assertThat(run(image, "echo hi", seen).stdout()).isEqualTo("hi\n".getBytes());
            if (Duration.ofNanos(System.nanoTime() - t0).compareTo(AgentCommandRunner.LIVE_AFTER) < 0) {
                assertThat(seen).as("a run that ended within %s", AgentCommandRunner.LIVE_AFTER).isEmpty();
                quick++;
            }
        }
        assertThat(quick).as("runs that ended within %s (a machine too busy for any?)", AgentCommandRunner.LIVE_AFTER)
                .isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {AgentBoxes.BUSYBOX, AgentBoxes.BOOKWORM})
    void binary_output_past_the_cap_streams_as_a_prefix_of_the_result_and_stops_at_the_cap(String image) {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        CommandResult result = run(image,
                "i=0; while [ $i -lt 30 ]; do head -c 100000 /dev/urandom; sleep 0.05; i=$((i+1)); done", seen);

        assertThat(result.stdoutTruncated()).isTrue();
        assertThat(result.stdout()).hasSize(LIMIT);
        byte[] streamed = joined(seen, OutputChunk.Stream.STDOUT);
        assertThat(streamed.length).as("bytes streamed").isPositive().isLessThanOrEqualTo(LIMIT);
        assertThat(streamed).isEqualTo(Arrays.copyOf(result.stdout(), streamed.length));
        assertThat(seen).as("chunks over time").hasSizeGreaterThan(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {AgentBoxes.BUSYBOX, AgentBoxes.BOOKWORM})
    void a_timed_out_streaming_command_ends_with_its_output_and_the_runner_goes_on(String image) {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        RunRequest request = new RunRequest("echo before; sleep 30", "sh", Map.of(), "/workspace", new byte[0],
                Duration.ofMillis(800), LIMIT, chunk -> seen.add(new Seen(chunk, System.nanoTime())));
        CommandResult result = runners.get(image).run(request);

        assertThat(result.timedOut()).isTrue();
        assertThat(result.stdout()).isEqualTo("before\n".getBytes());
        assertThat(joined(seen, OutputChunk.Stream.STDOUT)).isEqualTo("before\n".getBytes());
        assertThat(run(image, "echo after", new ArrayList<>()).stdout()).isEqualTo("after\n".getBytes());
    }
}
