package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.config.BoxqConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigPrinterTest {
    private static final String ADMIN_KEY = "bq_admin_0123456789abcdef0123456789abcdef";

    private static String printed(Map<String, String> env) {
        return ConfigPrinter.describe(BoxqConfig.fromEnv(env));
    }

    @Test
    void the_admin_key_shows_only_its_first_characters_and_its_length() {
        String out = printed(Map.of("BOXQ_ADMIN_KEY", ADMIN_KEY));

        assertThat(out).contains("Admin key: bq_adm…(" + ADMIN_KEY.length() + " chars)")
                .doesNotContain(ADMIN_KEY)
                .doesNotContain(ADMIN_KEY.substring(6));
    }

    @Test
    void a_short_admin_key_is_all_stars_and_an_unset_one_says_so() {
        assertThat(printed(Map.of("BOXQ_ADMIN_KEY", "hunter2"))).contains("Admin key: ****").doesNotContain("hunter2");
        assertThat(printed(Map.of())).contains("Admin key: (unset)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "redis://:s3cret-pw@redis.internal:6380/2 | redis://***@redis.internal:6380/2 | s3cret-pw",
        "redis://boxq:s3cret-pw@redis.internal:6379 | redis://***@redis.internal:6379 | s3cret-pw",
        "rediss://:p@ss/w0rd@redis.internal:6379 | rediss://***@redis.internal:6379 | w0rd",
    })
    void the_redis_url_is_shown_without_its_password(String url, String shown, String secret) {
        String out = printed(Map.of("REDIS_URL", url));

        assertThat(out).contains("URL: " + shown + "\n").doesNotContain(secret);
    }

    @Test
    void a_redis_url_without_credentials_is_shown_as_it_is() {
        assertThat(printed(Map.of("REDIS_URL", "redis://127.0.0.1:6390/1"))).contains("URL: redis://127.0.0.1:6390/1\n");
    }

    @Test
    void sentinels_are_shown_and_their_passwords_are_not() {
        String out = printed(Map.of("REDIS_SENTINELS", "127.0.0.1:26379,127.0.0.1:26380", "REDIS_MASTER_NAME", "boxq",
                "REDIS_PASSWORD", "redis-s3cret", "REDIS_SENTINEL_PASSWORD", "sentinel-s3cret",
                "REDIS_WAIT_REPLICAS", "1"));

        assertThat(out).contains("Sentinels: 127.0.0.1:26379,127.0.0.1:26380  Master name: boxq\n")
                .contains("Sentinel password: ***\n").contains("Password: ***\n")
                .contains("Acknowledged writes: WAIT 1 replica(s), 1000 ms\n")
                .doesNotContain("s3cret").doesNotContain("URL:");
    }
}
