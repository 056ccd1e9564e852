package io.boxq.executor.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ShellStreamTest {
    private final ShellStream stream = new ShellStream("test");

    private static long in(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    private static final long SOON = Duration.ofSeconds(5).toNanos();

    private void stdout(String s) {
        stream.onNext(new Frame(StreamType.STDOUT, s.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static final byte[] END = "abc 1\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void lines_and_parts_are_read_across_frames() throws Exception {
        stream.expect(100);
        stdout("abc do");
        stdout("ne 0\nx\0y");
        stdout("zab");
        stdout("c 1\n");
        assertThat(stream.readLine(64, System.nanoTime() + SOON)).isEqualTo("abc done 0");
        assertThat(stream.readUntil(END, 10, System.nanoTime() + SOON)).containsExactly('x', 0, 'y', 'z');
        stream.finish();
        assertThat(stream.failure()).isNull();
    }

    @Test
    void an_empty_part_and_a_part_of_exactly_the_maximum_are_fine() throws Exception {
        stream.expect(100);
        stdout("abc 1\n12345abc 1\n");
        assertThat(stream.readUntil(END, 5, System.nanoTime() + SOON)).isEmpty();
        assertThat(stream.readUntil(END, 5, System.nanoTime() + SOON)).containsExactly('1', '2', '3', '4', '5');
    }

    @Test
    void a_part_longer_than_its_maximum_breaks_the_stream() {
        stream.expect(100);
        stdout("123456abc 1\n");
        assertThatThrownBy(() -> stream.readUntil(END, 5, System.nanoTime() + SOON)).isInstanceOf(ShellProtocolException.class);
    }

    @Test
    void a_part_without_its_end_breaks_the_stream_once_the_maximum_is_passed() {
        stream.expect(100);
        stdout("1234567890a");
        assertThatThrownBy(() -> stream.readUntil(END, 5, System.nanoTime() + SOON))
                .isInstanceOf(ShellProtocolException.class).hasMessageContaining("more than 5 bytes");
    }

    @Test
    void frames_are_copied_because_docker_java_reuses_its_buffer() throws Exception {
        stream.expect(10);
        byte[] buffer = "ok\n".getBytes(StandardCharsets.US_ASCII);
        stream.onNext(new Frame(StreamType.STDOUT, buffer));
        buffer[0] = 'X';
        assertThat(stream.readLine(64, System.nanoTime() + SOON)).isEqualTo("ok");
    }

    @Test
    void output_while_no_request_is_in_flight_breaks_the_stream() {
        stdout("x");
        assertThat(stream.failure()).contains("nobody asked for");
        assertThatThrownBy(() -> stream.expect(10)).isInstanceOf(ShellProtocolException.class);
    }

    @Test
    void output_beyond_the_announced_budget_breaks_the_stream() {
        stream.expect(4);
        stdout("ab\n");
        assertThat(stream.failure()).isNull();
        stdout("de");
        assertThat(stream.failure()).isNotNull();
        assertThatThrownBy(() -> stream.readLine(64, System.nanoTime() + SOON)).isInstanceOf(ShellProtocolException.class);
    }

    @Test
    void bytes_left_unread_after_an_answer_break_the_stream() throws Exception {
        stream.expect(20);
        stdout("line\nextra");
        assertThat(stream.readLine(64, System.nanoTime() + SOON)).isEqualTo("line");
        assertThatThrownBy(stream::finish).isInstanceOf(ShellProtocolException.class);
    }

    @Test
    void a_line_longer_than_allowed_breaks_the_stream() {
        stream.expect(1000);
        stdout("x".repeat(300));
        assertThatThrownBy(() -> stream.readLine(256, System.nanoTime() + SOON))
                .isInstanceOf(ShellProtocolException.class).hasMessageContaining("more than 256");
    }

    @Test
    void a_missing_line_or_part_is_null_at_the_deadline() throws Exception {
        stream.expect(100);
        assertThat(stream.readLine(64, in(Duration.ofMillis(20)))).isNull();
        stdout("ab");
        assertThat(stream.readUntil(END, 10, in(Duration.ofMillis(20)))).isNull();
        assertThat(stream.failure()).isNull();
    }

    @Test
    void an_answer_that_came_before_the_runner_exited_can_still_be_read() throws Exception {
        stream.expect(100);
        stdout("bye\n");
        stream.onComplete();
        assertThat(stream.readLine(64, System.nanoTime() + SOON)).isEqualTo("bye");
        assertThatThrownBy(() -> stream.readLine(64, System.nanoTime() + SOON))
                .isInstanceOf(ShellProtocolException.class).hasMessageContaining("exited");
    }

    @Test
    void the_end_of_the_stream_wakes_a_waiting_reader() throws Exception {
        stream.expect(100);
        Thread.ofVirtual().start(stream::onComplete);
        assertThatThrownBy(() -> stream.readLine(64, System.nanoTime() + SOON)).isInstanceOf(ShellProtocolException.class);
    }

    @Test
    void the_runners_stderr_is_not_part_of_the_answer() throws Exception {
        stream.expect(10);
        stream.onNext(new Frame(StreamType.STDERR, "x".repeat(100).getBytes(StandardCharsets.US_ASCII)));
        stdout("ok\n");
        assertThat(stream.readLine(64, System.nanoTime() + SOON)).isEqualTo("ok");
    }
}
