package io.boxq.executor.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolSizingTest {
    private static final int MIN = 3;
    private static final int MAX = 80;
    private static final int INITIAL = 10;

    @Test
    void while_warming_up_the_target_is_the_initial_size() {
        assertThat(PoolSizing.target(MIN, MAX, INITIAL, 0, true, true, true)).isEqualTo(INITIAL);
        assertThat(PoolSizing.target(MIN, MAX, INITIAL, 50, true, false, true)).isEqualTo(INITIAL);
    }

    @Test
    void when_quiet_aggressive_cleanup_shrinks_to_the_minimum() {
        assertThat(PoolSizing.target(MIN, MAX, INITIAL, 0, false, true, true)).isEqualTo(MIN);
        assertThat(PoolSizing.target(MIN, MAX, INITIAL, 0, false, true, false)).isEqualTo(INITIAL);
    }

    @ParameterizedTest(name = "demand {0} -> {1}")
    @CsvSource({"0, 3", "1, 3", "4, 6", "8, 10", "20, 25", "70, 80", "500, 80"})
    void under_demand_the_target_is_demand_plus_headroom_within_bounds(int demand, int target) {
        assertThat(PoolSizing.target(MIN, MAX, INITIAL, demand, false, false, true)).isEqualTo(target);
    }

    @Test
    void bounds_win_over_everything() {
        assertThat(PoolSizing.target(5, 6, 10, 0, true, true, true)).isEqualTo(6);
        assertThat(PoolSizing.target(5, 6, 0, 0, true, true, true)).isEqualTo(5);
        assertThat(PoolSizing.target(0, 1, 0, 0, false, true, true)).isZero();
    }

    @Test
    void headroom_is_a_quarter_of_demand_and_at_least_two() {
        assertThat(PoolSizing.headroom(0)).isEqualTo(2);
        assertThat(PoolSizing.headroom(8)).isEqualTo(2);
        assertThat(PoolSizing.headroom(40)).isEqualTo(10);
    }
}
