package io.boxq.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class JobViewTest {

    @Test
    void utf8_output_is_text_without_an_encoding() {
        assertThat(JobView.text("héllo ✓ 😀\n".getBytes(StandardCharsets.UTF_8))).containsExactly("héllo ✓ 😀\n", null);
        assertThat(JobView.text(new byte[0])).containsExactly("", null);
    }

    @Test
    void other_bytes_are_base64_and_say_so() {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 'a'};

        String[] text = JobView.text(binary);

        assertThat(text[1]).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(text[0])).isEqualTo(binary);
    }

    @Test
    void a_utf8_sequence_cut_by_the_output_cap_is_base64() {
        byte[] cut = {'o', 'k', (byte) 0xe2, (byte) 0x9c};

        assertThat(JobView.text(cut)).containsExactly(Base64.getEncoder().encodeToString(cut), "base64");
    }
}
