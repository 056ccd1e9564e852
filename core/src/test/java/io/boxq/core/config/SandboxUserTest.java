package io.boxq.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SandboxUserTest {

    @Test
    void a_lone_uid_is_also_the_gid() {
        assertThat(SandboxUser.parse("65534")).isEqualTo(SandboxUser.NOBODY);
        assertThat(SandboxUser.parse(" 1000 ")).isEqualTo(new SandboxUser(1000, 1000));
    }

    @Test
    void uid_and_gid_are_split_at_the_colon() {
        SandboxUser user = SandboxUser.parse("1000:2000");

        assertThat(user.uid()).isEqualTo(1000);
        assertThat(user.gid()).isEqualTo(2000);
        assertThat(user.dockerUser()).isEqualTo("1000:2000");
    }

    @Test
    void docker_gets_both_numbers_also_for_a_lone_uid() {
        assertThat(SandboxUser.parse("1000").dockerUser()).isEqualTo("1000:1000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nobody", "nobody:nogroup", "1000:", ":1000", "1000:2000:3000", "-1", "1000:-1",
        "10 00", "1000 : 2000", "2147483648", "1:99999999999"})
    void anything_else_is_refused(String value) {
        assertThatIllegalArgumentException().isThrownBy(() -> SandboxUser.parse(value));
    }
}
