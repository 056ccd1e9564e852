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
        int fileMaxBytes,
        String agentDir,
        String agentBinary) {

    /** Where the agent's binaries and sockets live on the host, unless {@code AGENT_DIR} says otherwise. */
    public static final String DEFAULT_AGENT_DIR = "/var/lib/boxq/agent";

    /**
     * How commands reach the container: the native in-container agent over a unix socket, or one
     * {@code docker exec} each (the benchmark's baseline).
     */
    public enum RunnerKind { AGENT, EXEC }
}
