package io.boxq.executor.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.boxq.executor.runner.RunRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decoders of the agent's frames at the edges of what they take, and the encoders' refusals. */
class AgentWireTest {
    static byte[] exitPayload(int code, long cpu, int flags) {
        return ByteBuffer.allocate(13).putInt(code).putLong(cpu).put((byte) flags).array();
    }

    static byte[] helloPayload(int versionLength, byte[] version, int pid) {
        return ByteBuffer.allocate(8 + version.length).putInt(versionLength).put(version).putInt(pid).array();
    }

    @Test
    void an_exit_takes_codes_0_to_255_and_flags_0_and_1_and_an_unknown_cpu_time() {
        assertThat(AgentWire.exit(exitPayload(0, -1, 0))).isEqualTo(new AgentWire.Exit(0, null, false));
        assertThat(AgentWire.exit(exitPayload(255, Long.MAX_VALUE, 1))).isEqualTo(new AgentWire.Exit(255, Long.MAX_VALUE, true));
        assertThat(AgentWire.exit(exitPayload(1, Long.MIN_VALUE, 0)).cpuMicros()).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 999, -1, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void an_exit_code_out_of_range_is_refused(int code) {
        assertThatThrownBy(() -> AgentWire.exit(exitPayload(code, 0, 0)))
                .isInstanceOf(AgentProtocolException.class).hasMessageContaining("out of range");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 0x80, 0xff})
    void an_exit_flag_other_than_0_or_1_is_refused(int flags) {
        assertThatThrownBy(() -> AgentWire.exit(exitPayload(0, 0, flags))).isInstanceOf(AgentProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 12, 14, 4096})
    void an_exit_of_any_length_but_13_is_refused(int length) {
        assertThatThrownBy(() -> AgentWire.exit(new byte[length])).isInstanceOf(AgentProtocolException.class)
                .hasMessageContaining(length + " bytes");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void a_status_shorter_than_its_code_is_refused(int length) {
        assertThatThrownBy(() -> AgentWire.status(new byte[length])).isInstanceOf(AgentProtocolException.class);
    }

    @Test
    void a_status_takes_codes_0_to_255_and_any_text() {
        byte[] text = {0, (byte) 0xff, '\n'};
        AgentWire.Status s = AgentWire.status(ByteBuffer.allocate(7).putInt(255).put(text).array());
        assertThat(s.code()).isEqualTo(255);
        assertThat(s.text()).isEqualTo(text);
        assertThat(AgentWire.status(new byte[4]).text()).isEmpty();
        for (int code : new int[] {256, -1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> AgentWire.status(ByteBuffer.allocate(4).putInt(code).array()))
                    .isInstanceOf(AgentProtocolException.class).hasMessageContaining("out of range");
        }
    }

    @Test
    void a_hello_gives_the_version_and_the_pid_unsigned() {
        byte[] v = "boxq-agent/1 abc".getBytes(StandardCharsets.US_ASCII);
        assertThat(AgentWire.hello(helloPayload(v.length, v, -1))).isEqualTo(new AgentWire.Hello("boxq-agent/1 abc", 0xffffffffL));
        assertThat(AgentWire.hello(helloPayload(0, new byte[0], 7))).isEqualTo(new AgentWire.Hello("", 7));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 4, 6, 0})
    void a_hello_whose_version_length_is_not_what_is_left_of_it_is_refused(int versionLength) {
        byte[] v = "five!".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> AgentWire.hello(helloPayload(versionLength, v, 1))).isInstanceOf(AgentProtocolException.class)
                .hasMessageContaining("version length");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 7})
    void a_hello_shorter_than_its_two_numbers_is_refused(int length) {
        assertThatThrownBy(() -> AgentWire.hello(new byte[length])).isInstanceOf(AgentProtocolException.class);
    }

    @Test
    void a_hellos_version_is_kept_printable_and_short_for_messages() {
        byte[] v = {'a', 0, '\n', (byte) 0xc3, (byte) 0xa9, 'z'};
        assertThat(AgentWire.hello(helloPayload(v.length, v, 1)).version()).isEqualTo("a???z");
        byte[] long128 = "v".repeat(128).getBytes(StandardCharsets.US_ASCII);
        assertThat(AgentWire.hello(helloPayload(128, long128, 1)).version()).startsWith("v".repeat(80)).hasSize(81);
    }

    @Test
    void an_output_frame_names_stdout_or_stderr_and_holds_a_byte_at_least() {
        assertThat(AgentWire.stream(new byte[] {1, 0})).isEqualTo(1);
        assertThat(AgentWire.stream(new byte[] {2, 0})).isEqualTo(2);
        for (byte[] bad : new byte[][] {{}, {1}, {2}, {0, 1}, {3, 1}, {7, 1}, {(byte) 0xff, 1}}) {
            assertThatThrownBy(() -> AgentWire.stream(bad)).isInstanceOf(AgentProtocolException.class);
        }
    }

    @Test
    void only_the_four_answer_types_have_a_ceiling() {
        for (int t = 0; t < 256; t++) {
            int max = AgentWire.maxPayload((byte) t);
            switch (t) {
                case 'H' -> assertThat(max).isEqualTo(136);
                case 'O' -> assertThat(max).isEqualTo(AgentWire.CHUNK + 1);
                case 'X' -> assertThat(max).isEqualTo(13);
                case 'S' -> assertThat(max).isEqualTo(4100);
                default -> assertThat(max).as("type %d", t).isEqualTo(-1);
            }
        }
    }

    @Test
    void requests_the_agent_could_not_take_are_refused_before_they_are_sent() {
        RunRequest badName = new RunRequest("true", "sh", Map.of("A-B", "x"), "/", new byte[0], Duration.ofSeconds(1), 10);
        assertThatThrownBy(() -> AgentWire.run(badName)).isInstanceOf(IllegalArgumentException.class);
        RunRequest nul = new RunRequest("echo a\0b", "sh", Map.of(), "/", new byte[0], Duration.ofSeconds(1), 10);
        assertThatThrownBy(() -> AgentWire.run(nul)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentWire.write("/workspace", "f", new byte[AgentWire.MAX_REQUEST]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
        RunRequest forever = new RunRequest("true", "sh", Map.of(), "/", new byte[0], Duration.ofDays(365 * 100), 10);
        assertThat(ByteBuffer.wrap(AgentWire.run(forever), 5, 4).getInt()).as("the timeout, clamped").isEqualTo(Integer.MAX_VALUE);
    }
}
