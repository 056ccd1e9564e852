package io.boxq.executor.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShellStdinTest {
    private final ShellStdin stdin = new ShellStdin();

    @Test
    void requests_come_out_in_order_in_pieces_of_any_size() {
        stdin.send(new byte[] {1, 2, 3});
        stdin.send(new byte[] {4, 5});
        byte[] buffer = new byte[4];
        assertThat(stdin.read(buffer, 0, 4)).isEqualTo(4);
        assertThat(buffer).containsExactly(1, 2, 3, 4);
        assertThat(stdin.read()).isEqualTo(5);
    }

    @Test
    void what_was_sent_is_still_delivered_after_close_then_the_stream_ends() {
        stdin.send(new byte[] {(byte) 255});
        stdin.close();
        assertThat(stdin.read()).isEqualTo(255);
        assertThat(stdin.read()).isEqualTo(-1);
        assertThatThrownBy(() -> stdin.send(new byte[] {1})).isInstanceOf(ShellProtocolException.class);
    }

    @Test
    void a_reader_waits_for_the_next_request() throws Exception {
        byte[] buffer = new byte[8];
        Thread writer = Thread.ofVirtual().start(() -> stdin.send(new byte[] {9, 8}));
        int n = stdin.read(buffer, 0, 8);
        writer.join();
        assertThat(Arrays.copyOf(buffer, n)).containsAnyOf(9);
    }
}
