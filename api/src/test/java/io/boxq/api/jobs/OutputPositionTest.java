package io.boxq.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.boxq.api.problem.ProblemException;
import io.boxq.core.job.OutputChunk;
import io.boxq.core.job.OutputChunk.Stream;
import org.junit.jupiter.api.Test;

class OutputPositionTest {
    private static OutputChunk chunk(Stream s, long offset, String text) {
        return new OutputChunk(s, offset, text.getBytes());
    }

    private static String text(OutputChunk c) {
        return c == null ? null : c.offset() + ":" + new String(c.data());
    }

    @Test
    void chunks_are_passed_on_once_and_overlaps_are_cut_to_what_is_new() {
        OutputPosition p = OutputPosition.of(null);

        assertThat(text(p.take(chunk(Stream.STDOUT, 0, "hello ")))).isEqualTo("0:hello ");
        assertThat(p.take(chunk(Stream.STDOUT, 0, "hello "))).isNull();
        assertThat(text(p.take(chunk(Stream.STDOUT, 3, "lo world")))).isEqualTo("6:world");
        assertThat(text(p.take(chunk(Stream.STDERR, 0, "oops")))).isEqualTo("0:oops");
        assertThat(p.idAt(Stream.STDOUT, 11)).isEqualTo("11.4");
        assertThat(p.idAt(Stream.STDERR, 4)).isEqualTo("11.4");
    }

    @Test
    void after_a_gap_a_stream_waits_for_the_result_which_fills_it() {
        OutputPosition p = OutputPosition.of(null);
        p.take(chunk(Stream.STDOUT, 0, "ab"));

        assertThat(p.take(chunk(Stream.STDOUT, 5, "fg"))).isNull();
        assertThat(p.take(chunk(Stream.STDOUT, 7, "h"))).isNull();
        assertThat(text(p.rest(Stream.STDOUT, "abcdefgh".getBytes()))).isEqualTo("2:cdefgh");
        assertThat(p.rest(Stream.STDOUT, "abcdefgh".getBytes())).isNull();
    }

    @Test
    void a_last_event_id_resumes_each_stream_where_it_stood() {
        OutputPosition p = OutputPosition.of(" 3.1 ");

        assertThat(text(p.take(chunk(Stream.STDOUT, 0, "abcdef")))).isEqualTo("3:def");
        assertThat(text(p.rest(Stream.STDERR, "xyz".getBytes()))).isEqualTo("1:yz");
        assertThat(p.rest(Stream.STDERR, "".getBytes())).isNull();
    }

    @Test
    void ids_that_are_not_ours_are_a_400_naming_the_header() {
        for (String bad : new String[] {"x", "1", "1.2.3", "-1.0", "1.", "99999999999999999999.0"}) {
            assertThatThrownBy(() -> OutputPosition.of(bad)).as(bad).isInstanceOfSatisfying(ProblemException.class,
                    e -> assertThat(e.problem().errors()).singleElement()
                            .satisfies(f -> assertThat(f.field()).isEqualTo("Last-Event-ID")));
        }
        assertThat(OutputPosition.of("").idAt(Stream.STDOUT, 0)).isEqualTo("0.0");
    }
}
