package io.boxq.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({
        "1024, 1024",
        "100b, 100",
        "512k, 524288",
        "256m, 268435456",
        "256M, 268435456",
        "256mb, 268435456",
        "256MiB, 268435456",
        "1g, 1073741824",
        "1G, 1073741824",
        "2t, 2199023255552",
        "' 64m ', 67108864",
    })
    void parses_sizes_the_way_docker_users_write_them(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "m", "abc", "0", "-5m", "1.5g", "12x", "99999999999999t"})
    void refuses_what_is_not_a_positive_size(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Sizes.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"1073741824, 1g", "268435456, 256m", "524288, 512k", "1000, 1000"})
    void formats_in_the_largest_whole_unit(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
        assertThat(Sizes.parse(Sizes.format(bytes))).isEqualTo(bytes);
    }
}
