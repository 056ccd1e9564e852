package io.boxq.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads typed values out of an environment map and collects every problem instead of stopping at
 * the first, so that one start-up message names all bad variables.
 */
final class EnvReader {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    EnvReader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The raw value of the first of {@code names} that is set and not blank. */
    Optional<String> raw(String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(value.trim());
            }
        }
        return Optional.empty();
    }

    String string(String name, String fallback) {
        return raw(name).orElse(fallback);
    }

    int integer(String name, int fallback, int min, int max) {
        return (int) longValue(new String[] {name}, fallback, min, max);
    }

    long longValue(String[] names, long fallback, long min, long max) {
        Optional<String> value = raw(names);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.get());
            if (parsed < min || parsed > max) {
                problems.add(names[0] + "=" + value.get() + " is out of range [" + min + ", " + max + "]");
                return fallback;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(names[0] + "=" + value.get() + " is not a whole number");
            return fallback;
        }
    }

    boolean bool(String name, boolean fallback) {
        Optional<String> value = raw(name);
        if (value.isEmpty()) {
            return fallback;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> {
                problems.add(name + "=" + value.get() + " is not true or false");
                yield fallback;
            }
        };
    }

    /** A size such as {@code 256m}, {@code 1g}, {@code 1G} or a plain number of bytes. */
    long bytes(String name, long fallback) {
        Optional<String> value = raw(name);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Sizes.parse(value.get());
        } catch (IllegalArgumentException e) {
            problems.add(name + "=" + value.get() + " is not a size (like 256m or 1g)");
            return fallback;
        }
    }

    Duration seconds(String name, Duration fallback, long maxSeconds) {
        return Duration.ofSeconds(longValue(new String[] {name}, fallback.toSeconds(), 1, maxSeconds));
    }

    /**
     * A duration given in seconds under {@code secondsName} or, as the seeds did, in minutes under
     * {@code minutesName}; the seconds name wins when both are set.
     */
    Duration secondsOrMinutes(String secondsName, String minutesName, Duration fallback) {
        if (raw(secondsName).isPresent()) {
            return seconds(secondsName, fallback, 365L * 24 * 3600);
        }
        if (raw(minutesName).isPresent()) {
            return Duration.ofMinutes(longValue(new String[] {minutesName}, fallback.toMinutes(), 1, 525_600));
        }
        return fallback;
    }

    Duration minutes(String[] names, Duration fallback) {
        return Duration.ofMinutes(longValue(names, fallback.toMinutes(), 1, 525_600));
    }

    void problem(String message) {
        problems.add(message);
    }

    List<String> problems() {
        return List.copyOf(problems);
    }
}
