package io.boxq.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.boxq.core.config.WebhookConfig;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    private final RetrySchedule defaults = new RetrySchedule(WebhookConfig.defaults().retrySchedule());

    @Test
    void default_schedule_is_now_5s_5min_30min_2h_5h_10h_24h() {
        assertThat(WebhookConfig.defaults().retrySchedule()).containsExactly(Duration.ZERO, Duration.ofSeconds(5),
                Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5),
                Duration.ofHours(10), Duration.ofHours(24));
        assertThat(defaults.maxAttempts()).isEqualTo(8);
    }

    @Test
    void every_retry_delay_stays_within_twenty_percent_of_its_nominal_value() {
        List<Duration> nominal = WebhookConfig.defaults().retrySchedule();
        Random random = new Random(42);
        for (int made = 1; made < nominal.size(); made++) {
            long base = nominal.get(made).toMillis();
            for (int i = 0; i < 2_000; i++) {
                long delay = defaults.delayAfter(made, random).orElseThrow().toMillis();
                assertThat(delay).isBetween(Math.round(base * 0.8), Math.round(base * 1.2));
            }
        }
    }

    @Test
    void jitter_reaches_both_ends_of_its_range() {
        assertThat(defaults.delayAfter(1, fixed(0.0)).orElseThrow()).isEqualTo(Duration.ofMillis(4_000));
        assertThat(defaults.delayAfter(1, fixed(0.999999)).orElseThrow().toMillis()).isEqualTo(6_000);
        assertThat(defaults.delayAfter(1, fixed(0.5)).orElseThrow()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void jittered_delays_differ_so_retries_spread_out() {
        Random random = new Random(7);
        long distinct = java.util.stream.IntStream.range(0, 100)
                .mapToLong(i -> defaults.delayAfter(3, random).orElseThrow().toMillis()).distinct().count();
        assertThat(distinct).isGreaterThan(50);
    }

    @Test
    void a_zero_delay_gets_no_jitter() {
        RetrySchedule schedule = new RetrySchedule(List.of(Duration.ZERO, Duration.ZERO));
        assertThat(schedule.delayAfter(1, fixed(0.99))).contains(Duration.ZERO);
    }

    @Test
    void after_the_last_attempt_there_is_no_next_one() {
        RetrySchedule schedule = new RetrySchedule(List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThat(schedule.delayAfter(2, new Random(1))).isPresent();
        assertThat(schedule.delayAfter(3, new Random(1))).isEmpty();
        assertThat(defaults.delayAfter(8, new Random(1))).isEmpty();
    }

    @Test
    void a_schedule_needs_at_least_one_non_negative_delay() {
        assertThatThrownBy(() -> new RetrySchedule(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrySchedule(List.of(Duration.ofSeconds(-1))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }
}
