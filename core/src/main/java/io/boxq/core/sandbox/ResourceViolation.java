package io.boxq.core.sandbox;

import java.time.Instant;
import java.util.Locale;

/**
 * A sandbox crossing one of the seed's thresholds: memory (warning, or critical: the sandbox is
 * terminated), CPU sustained over the warning level, workspace disk over the warning level.
 *
 * @param percent the figure that crossed, in % (of the memory limit, of the CPU quota, of the workspace)
 * @param threshold the threshold it crossed, in %
 * @param action what boxq did: {@code recorded} or {@code terminated}
 */
public record ResourceViolation(Instant at, Kind kind, Level level, double percent, int threshold, String action) {

    public enum Kind {
        MEMORY, CPU, DISK;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Level {
        WARNING, CRITICAL;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a user reads: {@code memory at 96.1% of its limit (critical at 95%)}. */
    public String describe() {
        String of = switch (kind) {
            case MEMORY -> "of its memory limit";
            case CPU -> "of its CPU quota";
            case DISK -> "of its workspace";
        };
        return String.format(Locale.ROOT, "%s at %.1f%% %s (%s at %d%%)", kind.wireName(), percent, of,
                level.wireName(), threshold);
    }
}
