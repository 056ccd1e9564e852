package io.boxq.core.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The UTC days usage is counted by ({@code yyyy-mm-dd}), and how a span of time falls on them. */
public final class UsageDays {
    private UsageDays() {}

    /** The UTC day of {@code at}, as {@code yyyy-mm-dd}. */
    public static String of(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
    }

    /** The {@code count} days up to and including today, oldest first. */
    public static List<String> lastDays(Instant now, int count) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<String> days = new ArrayList<>(count);
        for (int i = count - 1; i >= 0; i--) {
            days.add(today.minusDays(i).toString());
        }
        return days;
    }

    /**
     * The seconds of [{@code from}, {@code to}) on each UTC day it touches, oldest first; days before
     * {@code to - retention} are left out (nobody could read them any more).
     */
    public static Map<String, Double> split(Instant from, Instant to, Duration retention) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        Instant start = from.isBefore(to.minus(retention)) ? to.minus(retention) : from;
        while (start.isBefore(to)) {
            Instant nextDay = LocalDate.ofInstant(start, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC)
                    .toInstant();
            Instant end = nextDay.isBefore(to) ? nextDay : to;
            seconds.put(of(start), Duration.between(start, end).toMillis() / 1000.0);
            start = end;
        }
        return seconds;
    }
}
