package io.boxq.core.config;

import java.time.Duration;

/** Limits of one job and how long its result is kept. */
public record JobConfig(
        Duration commandTimeout,
        Duration maxCommandTimeout,
        int outputLimitBytes,
        Duration resultTtl,
        RunnerKind runner,
        int maxBodyBytes,
        int fileMaxBytes) {

    /** How commands reach the container: the in-container runner, or one {@code docker exec} each. */
    public enum RunnerKind { SHELL, EXEC }
}
