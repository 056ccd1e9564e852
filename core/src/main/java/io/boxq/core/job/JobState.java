package io.boxq.core.job;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The life of a job. {@code failed} means the command exited non-zero; {@code error} means boxq could
 * not run it. One table decides which changes are legal (docs/architecture.md, "A job's way"); terminal states are final.
 */
public enum JobState {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED,
    ERROR;

    private static final Map<JobState, Set<JobState>> NEXT = Map.of(
            QUEUED, EnumSet.of(RUNNING, CANCELLED, ERROR),
            RUNNING, EnumSet.of(QUEUED, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, ERROR),
            SUCCEEDED, EnumSet.noneOf(JobState.class),
            FAILED, EnumSet.noneOf(JobState.class),
            TIMED_OUT, EnumSet.noneOf(JobState.class),
            CANCELLED, EnumSet.noneOf(JobState.class),
            ERROR, EnumSet.noneOf(JobState.class));

    public boolean isTerminal() {
        return NEXT.get(this).isEmpty();
    }

    public boolean canMoveTo(JobState next) {
        return NEXT.get(this).contains(next);
    }

    /** @throws IllegalStateException when the table does not allow {@code this → next} */
    public JobState moveTo(JobState next) {
        if (!canMoveTo(next)) {
            throw new IllegalStateException("a job cannot go from " + wireName() + " to " + next.wireName());
        }
        return next;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for a name that is not a state */
    public static JobState fromWire(String name) {
        for (JobState s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown job state: " + name);
    }

    /** The terminal state a finished command gets from its exit code. */
    public static JobState ofExit(int exitCode) {
        return exitCode == 0 ? SUCCEEDED : FAILED;
    }
}
