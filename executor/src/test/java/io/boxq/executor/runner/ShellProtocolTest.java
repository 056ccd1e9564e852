package io.boxq.executor.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShellProtocolTest {
    private static final String NONCE = "0123456789abcdef";

    private static RunRequest request(String command, Map<String, String> env, byte[] stdin) {
        return new RunRequest(command, "sh", env, "/workspace", stdin, Duration.ofSeconds(5), 1024);
    }

    @Test
    void nonces_are_16_hex_digits_and_do_not_repeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String nonce = ShellProtocol.nonce();
            assertThat(nonce).matches("[0-9a-f]{16}");
            seen.add(nonce);
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void quoting_keeps_quotes_and_splices_newlines_so_the_request_stays_one_line() {
        assertThat(ShellProtocol.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(ShellProtocol.quote("a\nb")).isEqualTo("'a'\"$nl\"'b'");
        assertThat(ShellProtocol.quote("$HOME `x` \\ \"")).isEqualTo("'$HOME `x` \\ \"'");
        assertThat(ShellProtocol.quote("")).isEqualTo("''");
    }

    @Test
    void a_short_request_carries_its_arguments_inline_and_stdin_after_the_line() {
        byte[] stdin = {0, 1, (byte) 255, '\n'};
        byte[] encoded = ShellProtocol.run(NONCE, request("echo hi", Map.of("A", "b"), stdin));
        String line = "0123456789abcdef run 1024 0 4 set -- \"$@\" '/workspace' 'sh' 'echo hi'; export 'A=b'\n";
        assertThat(Arrays.copyOf(encoded, line.length())).isEqualTo(line.getBytes(StandardCharsets.US_ASCII));
        assertThat(Arrays.copyOfRange(encoded, line.length(), encoded.length)).isEqualTo(stdin);
    }

    @Test
    void long_arguments_go_as_a_payload_before_stdin() {
        String command = "echo " + "x".repeat(ShellProtocol.MAX_INLINE_ARGS);
        byte[] encoded = ShellProtocol.run(NONCE, request(command, Map.of(), new byte[] {7}));
        String args = ShellProtocol.arguments(request(command, Map.of(), new byte[0]));
        String head = NONCE + " run 1024 " + args.length() + " 1\n";
        assertThat(new String(encoded, StandardCharsets.UTF_8)).isEqualTo(head + args + "\u0007");
    }

    @Test
    void arguments_count_bytes_not_characters() {
        String command = "echo " + "é".repeat(ShellProtocol.MAX_INLINE_ARGS / 2 + 1);
        String encoded = new String(ShellProtocol.run(NONCE, request(command, Map.of(), new byte[0])), StandardCharsets.UTF_8);
        int bytes = ShellProtocol.arguments(request(command, Map.of(), new byte[0])).getBytes(StandardCharsets.UTF_8).length;
        assertThat(encoded).startsWith(NONCE + " run 1024 " + bytes + " 0\n");
    }

    @Test
    void nul_bytes_and_bad_environment_names_are_refused() {
        assertThatThrownBy(() -> ShellProtocol.run(NONCE, request("echo \0", Map.of(), new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShellProtocol.run(NONCE, request("true", Map.of("A", "x\0"), new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShellProtocol.run(NONCE, request("true", Map.of("A=B", "x"), new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShellProtocol.run(NONCE, request("true", Map.of("1A", "x"), new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_done_header_carries_the_exit_code_and_the_cpu_microseconds_when_it_answers_this_request() {
        assertThat(ShellProtocol.done(NONCE + " done 137 5000", NONCE)).isEqualTo(new ShellProtocol.Done(137, 5000L));
        assertThat(ShellProtocol.done(NONCE + " done 0 0", NONCE)).isEqualTo(new ShellProtocol.Done(0, 0L));
        assertThat(ShellProtocol.done(NONCE + " done 0 " + ShellProtocol.MAX_CPU_MICROS, NONCE).cpuMicros())
                .isEqualTo(ShellProtocol.MAX_CPU_MICROS);
    }

    @Test
    void a_done_header_whose_runner_could_not_read_the_cgroup_has_unknown_cpu() {
        assertThat(ShellProtocol.done(NONCE + " done 3 -", NONCE)).isEqualTo(new ShellProtocol.Done(3, null));
    }

    @Test
    void headers_for_other_requests_or_with_bad_numbers_are_refused() {
        for (String bad : new String[] {
            "fedcba9876543210 done 0 1", NONCE + " done", NONCE + " done 0", NONCE + " done 0 1 2", NONCE + " ready 1 1",
            NONCE + " done 256 1", NONCE + " done -1 1", NONCE + " done x 1", NONCE + " done +1 1",
            NONCE + " done 99999999999999999999 1", NONCE + "  done 0 1", NONCE + " done 0  1", "", NONCE,
        }) {
            assertThatThrownBy(() -> ShellProtocol.done(bad, NONCE)).as(bad).isInstanceOf(ShellProtocolException.class);
        }
    }

    @Test
    void a_cpu_figure_that_is_not_a_bounded_count_of_microseconds_is_refused() {
        for (String cpu : new String[] {
            "x", "--", "-1", "+5", "1.5", "1e6", "0x10", " ", "", "12a", Long.toString(ShellProtocol.MAX_CPU_MICROS + 1),
            "99999999999999999999", "١٢",
        }) {
            String line = NONCE + " done 0 " + cpu;
            assertThatThrownBy(() -> ShellProtocol.done(line, NONCE)).as(line).isInstanceOf(ShellProtocolException.class);
        }
    }

    @Test
    void parts_end_with_the_nonce_and_their_number() {
        assertThat(new String(ShellProtocol.terminator(NONCE, 2), StandardCharsets.US_ASCII)).isEqualTo(NONCE + " 2\n");
    }

    @Test
    void the_answer_budget_covers_both_streams_one_byte_over_the_limit_and_the_lines() {
        assertThat(ShellProtocol.maxRunAnswer(1 << 20)).isEqualTo(2L * ((1 << 20) + 1) + 3L * ShellProtocol.MAX_LINE);
        assertThat(ShellProtocol.maxRunAnswer(Integer.MAX_VALUE)).isPositive();
    }

    @Test
    void simple_requests_are_one_line_without_payload() {
        assertThat(new String(ShellProtocol.simple(NONCE, "kill"), StandardCharsets.US_ASCII)).isEqualTo(NONCE + " kill 0 0 0\n");
    }

    @Test
    void a_request_with_a_live_listener_asks_for_a_streaming_run() {
        RunRequest plain = request("echo hi", Map.of(), new byte[0]);
        String streaming = new String(ShellProtocol.run(NONCE, plain.withLive(chunk -> {})), StandardCharsets.UTF_8);

        assertThat(new String(ShellProtocol.run(NONCE, plain), StandardCharsets.UTF_8)).startsWith(NONCE + " run 1024 ");
        assertThat(streaming).startsWith(NONCE + " stream 1024 ");
    }

    @Test
    void live_frame_headers_name_stdout_or_stderr_of_this_request_only() {
        assertThat(ShellProtocol.livePart(NONCE + " part 1", NONCE)).isEqualTo(1);
        assertThat(ShellProtocol.livePart(NONCE + " part 2", NONCE)).isEqualTo(2);
        for (String bad : new String[] {NONCE + " part 3", NONCE + " part x", "fedcba9876543210 part 1",
                NONCE + " part 1 2", NONCE + " part"}) {
            assertThatThrownBy(() -> ShellProtocol.livePart(bad, NONCE)).as(bad).isInstanceOf(ShellProtocolException.class);
        }
    }
}
