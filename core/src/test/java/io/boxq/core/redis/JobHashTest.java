package io.boxq.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobHashTest {

    @Test
    void a_short_command_is_its_own_preview() {
        assertThat(JobHash.preview("echo hi")).isEqualTo("echo hi");
        assertThat(JobHash.preview("x".repeat(JobHash.PREVIEW_CHARS))).hasSize(JobHash.PREVIEW_CHARS);
    }

    @Test
    void a_long_command_is_cut_with_an_ellipsis() {
        String preview = JobHash.preview("y".repeat(10_000));
        assertThat(preview).hasSize(JobHash.PREVIEW_CHARS + 1).endsWith("…").startsWith("yyy");
    }

    @Test
    void the_cut_never_splits_a_surrogate_pair() {
        String command = "a".repeat(JobHash.PREVIEW_CHARS - 1) + "😀" + "tail";
        String preview = JobHash.preview(command);
        assertThat(preview).isEqualTo("a".repeat(JobHash.PREVIEW_CHARS - 1) + "…");
        assertThat(preview.chars().noneMatch(c -> Character.isSurrogate((char) c))).isTrue();
    }
}
