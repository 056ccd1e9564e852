package io.boxq.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void waits_double_up_to_the_most_with_the_top_draw() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500), () -> 0.999_999);
        assertThat(millis(b, 5)).containsExactly(99L, 199L, 399L, 499L, 499L);
    }

    @Test
    void the_lowest_draw_waits_half_of_the_step() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500), () -> 0.0);
        assertThat(millis(b, 5)).containsExactly(50L, 100L, 200L, 250L, 250L);
    }

    @Test
    void waits_are_spread_between_half_and_all_of_the_step() {
        List<Long> firsts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            firsts.add(new Backoff(Duration.ofMillis(1000), Duration.ofSeconds(5)).next().toMillis());
        }
        assertThat(firsts).allSatisfy(ms -> assertThat(ms).isBetween(500L, 1000L));
        assertThat(firsts.stream().distinct().count()).as("jittered, not one value").isGreaterThan(10);
    }

    @Test
    void reset_starts_over_from_the_first_step() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.0);
        millis(b, 4);
        b.reset();
        assertThat(b.next()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void a_most_below_the_first_step_is_refused() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Long> millis(Backoff b, int n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(b.next().toMillis());
        }
        return out;
    }
}
