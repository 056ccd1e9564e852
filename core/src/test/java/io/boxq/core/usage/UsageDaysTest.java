package io.boxq.core.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsageDaysTest {

    @Test
    void a_day_is_the_utc_date_whatever_the_local_zone() {
        assertThat(UsageDays.of(Instant.parse("2026-03-01T23:59:59.999Z"))).isEqualTo("2026-03-01");
        assertThat(UsageDays.of(Instant.parse("2026-03-02T00:00:00Z"))).isEqualTo("2026-03-02");
    }

    @Test
    void the_last_seven_days_end_with_today_oldest_first_across_a_month_end() {
        assertThat(UsageDays.lastDays(Instant.parse("2026-03-02T10:00:00Z"), 7)).containsExactly(
                "2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02");
    }

    @Test
    void a_span_within_one_day_counts_on_that_day() {
        assertThat(UsageDays.split(Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-01T10:01:30.5Z"),
                Duration.ofDays(90))).containsExactly(entry("2026-03-01", 90.5));
    }

    @Test
    void a_span_over_midnight_is_split_at_midnight_utc() {
        assertThat(UsageDays.split(Instant.parse("2026-03-01T23:00:00Z"), Instant.parse("2026-03-03T00:30:00Z"),
                Duration.ofDays(90))).containsExactly(entry("2026-03-01", 3600.0), entry("2026-03-02", 86_400.0),
                entry("2026-03-03", 1800.0));
    }

    @Test
    void days_older_than_the_retention_are_left_out_and_an_empty_span_counts_nothing() {
        assertThat(UsageDays.split(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2026-03-03T12:00:00Z"),
                Duration.ofDays(1))).containsExactly(entry("2026-03-02", 43_200.0), entry("2026-03-03", 43_200.0));
        Instant t = Instant.parse("2026-03-03T12:00:00Z");
        assertThat(UsageDays.split(t, t, Duration.ofDays(90))).isEmpty();
        assertThat(UsageDays.split(t, t.minusSeconds(5), Duration.ofDays(90))).isEmpty();
    }
}
