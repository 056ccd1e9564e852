package io.boxq.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {
    @Test
    void defaults_follow_the_design() {
        WebhookConfig w = BoxqConfig.fromEnv(Map.of()).webhooks();

        assertThat(w.maxOutputBytes()).isEqualTo(64 * 1024);
        assertThat(w.allowPrivate()).isFalse();
        assertThat(w.allowlist()).isEmpty();
        assertThat(w.retrySchedule()).hasSize(8).first().isEqualTo(Duration.ZERO);
        assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(w.secretRotationWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(w.dispatchInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void reads_every_variable() {
        WebhookConfig w = BoxqConfig.fromEnv(Map.of(
                "WEBHOOK_MAX_OUTPUT_BYTES", "1000",
                "WEBHOOK_ALLOW_PRIVATE", "true",
                "WEBHOOK_ALLOWLIST", " Hooks.Internal , [::1],127.0.0.1 ",
                "WEBHOOK_RETRY_SCHEDULE_SECONDS", "0, 1,1",
                "WEBHOOK_TIMEOUT_SECONDS", "2",
                "WEBHOOK_SECRET_ROTATION_WINDOW_SECONDS", "60",
                "WEBHOOK_DISPATCH_INTERVAL_SECONDS", "3")).webhooks();

        assertThat(w.maxOutputBytes()).isEqualTo(1000);
        assertThat(w.allowPrivate()).isTrue();
        assertThat(w.allowlist()).containsExactly("hooks.internal", "::1", "127.0.0.1");
        assertThat(w.retrySchedule()).containsExactly(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(w.secretRotationWindow()).isEqualTo(Duration.ofSeconds(60));
        assertThat(w.dispatchInterval()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void reports_every_bad_webhook_variable_at_once() {
        assertThatThrownBy(() -> BoxqConfig.fromEnv(Map.of(
                "WEBHOOK_RETRY_SCHEDULE_SECONDS", "0,five",
                "WEBHOOK_TIMEOUT_SECONDS", "0",
                "WEBHOOK_ALLOW_PRIVATE", "maybe")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(3)
                        .anySatisfy(p -> assertThat(p).startsWith("WEBHOOK_RETRY_SCHEDULE_SECONDS"))
                        .anySatisfy(p -> assertThat(p).startsWith("WEBHOOK_TIMEOUT_SECONDS"))
                        .anySatisfy(p -> assertThat(p).startsWith("WEBHOOK_ALLOW_PRIVATE")));
    }

    @Test
    void the_schedule_starts_with_the_immediate_first_attempt() {
        assertThatThrownBy(() -> BoxqConfig.fromEnv(Map.of("WEBHOOK_RETRY_SCHEDULE_SECONDS", "5,10")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("starting with 0");
    }
}
