package io.boxq.executor.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.boxq.executor.agent.AgentFrameReader.Frame;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Which frames the answer to each request may hold, and how much output. */
class BudgetTest {
    static Frame out(int stream, int bytes) {
        byte[] p = new byte[1 + bytes];
        p[0] = (byte) stream;
        return new Frame(AgentWire.OUT, p);
    }

    static final Frame EXIT = new Frame(AgentWire.EXIT, new byte[13]);
    static final Frame STATUS = new Frame(AgentWire.STATUS, new byte[4]);
    static final Frame HELLO = new Frame(AgentWire.HELLO, new byte[8]);

    @Test
    void a_run_takes_its_limit_and_one_byte_more_on_each_stream_then_ends_with_its_exit_or_a_status() {
        Budget b = Budget.run(10);
        assertThat(b.charge(out(1, 6))).isFalse();
        assertThat(b.charge(out(1, 5))).isFalse();
        assertThat(b.charge(out(2, 11))).isFalse();
        assertThatThrownBy(() -> b.charge(out(1, 1))).isInstanceOf(AgentProtocolException.class)
                .hasMessageContaining("stream 1");
        assertThatThrownBy(() -> b.charge(out(2, 1))).isInstanceOf(AgentProtocolException.class)
                .hasMessageContaining("stream 2");
        assertThat(b.charge(EXIT)).isTrue();
        assertThat(Budget.run(0).charge(STATUS)).isTrue();
        assertThatThrownBy(() -> Budget.run(0).charge(HELLO)).isInstanceOf(AgentProtocolException.class);
    }

    @Test
    void a_run_with_the_largest_limit_does_not_overflow() {
        Budget b = Budget.run(Integer.MAX_VALUE);
        for (int i = 0; i < 4; i++) {
            assertThat(b.charge(out(1, AgentWire.CHUNK))).isFalse();
        }
    }

    @Test
    void empty_output_frames_and_streams_other_than_1_and_2_are_refused() {
        for (Frame bad : new Frame[] {out(1, 0), out(2, 0), out(0, 1), out(3, 1), new Frame(AgentWire.OUT, new byte[0])}) {
            assertThatThrownBy(() -> Budget.run(100).charge(bad)).isInstanceOf(AgentProtocolException.class);
        }
    }

    @Test
    void a_read_takes_its_maximum_and_one_byte_more_on_stdout_only_then_a_status() {
        Budget b = Budget.read(3);
        assertThat(b.charge(out(1, 4))).isFalse();
        assertThatThrownBy(() -> Budget.read(3).charge(out(1, 5))).isInstanceOf(AgentProtocolException.class);
        assertThatThrownBy(() -> Budget.read(3).charge(out(2, 1))).isInstanceOf(AgentProtocolException.class);
        assertThatThrownBy(() -> Budget.read(3).charge(EXIT)).isInstanceOf(AgentProtocolException.class);
        assertThat(b.charge(STATUS)).isTrue();
    }

    @Test
    void a_status_request_takes_its_status_alone() {
        assertThat(Budget.status().charge(STATUS)).isTrue();
        for (Frame bad : new Frame[] {out(1, 1), EXIT, HELLO}) {
            assertThatThrownBy(() -> Budget.status().charge(bad)).isInstanceOf(AgentProtocolException.class);
        }
    }

    @Test
    void the_first_words_are_a_hello_and_nothing_else() {
        assertThat(Budget.hello().charge(HELLO)).isTrue();
        for (Frame bad : new Frame[] {out(1, 1), EXIT, STATUS, new Frame((byte) 'Q', new byte[0])}) {
            assertThatThrownBy(() -> Budget.hello().charge(bad)).isInstanceOf(AgentProtocolException.class);
        }
    }

    @Test
    void a_frame_of_a_type_the_agent_never_sends_is_refused_by_any_budget() {
        Frame unknown = new Frame((byte) 'R', ByteBuffer.allocate(4).array());
        for (Budget b : new Budget[] {Budget.run(10), Budget.read(10), Budget.status(), Budget.hello()}) {
            assertThatThrownBy(() -> b.charge(unknown)).isInstanceOf(AgentProtocolException.class);
        }
    }
}
