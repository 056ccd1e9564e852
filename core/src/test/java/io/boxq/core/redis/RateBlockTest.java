package io.boxq.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A key's rate window handed out in blocks, against a counter that stands in for Redis's. */
class RateBlockTest {
    /** The window's counter in Redis, and how many times it was asked. */
    private long counter;
    private int takes;

    private long hit(RateBlock block, long window, int limit) {
        block.windowFor(window);
        long place = block.next(limit);
        if (place != RateBlock.USED_UP) {
            return place;
        }
        long size = RateBlock.size(limit);
        counter += size;
        takes++;
        return block.took(counter, size, limit);
    }

    @Test
    void a_block_is_a_64th_of_the_limit_from_1_to_256_places() {
        assertThat(RateBlock.size(5)).isEqualTo(1);
        assertThat(RateBlock.size(64)).isEqualTo(1);
        assertThat(RateBlock.size(640)).isEqualTo(10);
        assertThat(RateBlock.size(6_000)).isEqualTo(93);
        assertThat(RateBlock.size(100_000_000)).isEqualTo(256);
    }

    @Test
    void one_process_hands_out_every_place_up_to_the_limit_in_order_then_refuses_without_asking() {
        RateBlock block = new RateBlock(7);
        List<Long> places = new ArrayList<>();
        for (int i = 0; i < 650; i++) {
            places.add(hit(block, 7, 640));
        }
        for (int i = 0; i < 640; i++) {
            assertThat(places.get(i)).as("request %d", i + 1).isEqualTo(i + 1);
        }
        assertThat(places.subList(640, 650)).containsOnly(0L);
        assertThat(takes).as("one INCRBY per block of 10, none once the limit is reached").isEqualTo(64);
    }

    @Test
    void a_limit_that_is_not_a_multiple_of_the_block_ends_inside_the_last_block() {
        RateBlock block = new RateBlock(7);
        List<Long> places = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            places.add(hit(block, 7, 645));
        }
        assertThat(places.stream().filter(p -> p > 0)).hasSize(645);
        assertThat(places.get(644)).isEqualTo(645);
        assertThat(places.get(645)).isZero();
        assertThat(takes).isEqualTo(65);
    }

    @Test
    void a_new_window_starts_from_its_first_place() {
        RateBlock block = new RateBlock(7);
        for (int i = 0; i < 6; i++) {
            hit(block, 7, 5);
        }
        assertThat(hit(block, 7, 5)).as("past the limit").isZero();
        counter = 0; // the next window's counter
        assertThat(hit(block, 8, 5)).isEqualTo(1);
        assertThat(block.window()).isEqualTo(8);
    }

    @Test
    void a_request_that_read_the_clock_before_the_window_turned_counts_in_the_new_one() {
        RateBlock block = new RateBlock(7);
        hit(block, 7, 640);
        counter = 0;
        assertThat(hit(block, 8, 640)).isEqualTo(1);
        assertThat(hit(block, 7, 640)).as("late, from window 7").isEqualTo(2);
        assertThat(block.window()).isEqualTo(8);
        assertThat(takes).as("the new window's block kept").isEqualTo(2);
    }

    @Test
    void a_limit_raised_in_the_window_lets_the_key_go_on_at_once() {
        RateBlock block = new RateBlock(7);
        for (int i = 0; i < 5; i++) {
            hit(block, 7, 5);
        }
        assertThat(hit(block, 7, 5)).as("past the limit of 5").isZero();
        int takesWhenFull = takes;
        assertThat(hit(block, 7, 5)).isZero();
        assertThat(takes).as("refused without asking again").isEqualTo(takesWhenFull);
        assertThat(hit(block, 7, 10)).as("the limit is 10 now: refusals took no place").isEqualTo(6);
    }

    @Test
    void the_sweep_retires_only_blocks_of_windows_before_the_one_it_is_given() {
        RateBlock current = new RateBlock(8);
        RateBlock old = new RateBlock(6);
        assertThat(current.retireIfBefore(7)).isFalse();
        assertThat(current.retired()).isFalse();
        assertThat(old.retireIfBefore(7)).isTrue();
        assertThat(old.retired()).isTrue();
    }

    @Test
    void several_processes_never_let_a_key_past_its_limit_and_fall_short_by_at_most_a_block_each() {
        int limit = 6_000;
        long size = RateBlock.size(limit);
        List<RateBlock> processes = List.of(new RateBlock(7), new RateBlock(7), new RateBlock(7));
        Set<Long> handedOut = new HashSet<>();
        int allowed = 0;
        for (int i = 0; i < 9_000; i++) {
            long place = hit(processes.get((i * 7 + i / 5) % 3), 1, limit);
            if (place > 0) {
                allowed++;
                assertThat(handedOut.add(place)).as("place %d handed out twice", place).isTrue();
                assertThat(place).isLessThanOrEqualTo(limit);
            }
        }
        assertThat(allowed).isBetween((int) (limit - 2 * size), limit);
    }
}
