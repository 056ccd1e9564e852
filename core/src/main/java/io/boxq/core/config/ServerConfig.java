package io.boxq.core.config;

import java.util.List;
import java.util.Set;

/**
 * What this process runs, where it listens, and how it logs.
 *
 * @param debug {@code DEBUG=true}: boxq's own loggers ({@code io.boxq}) log at DEBUG whatever {@code logLevel} says,
 *     unless that is more verbose still
 * @param logFormat {@code text} or {@code json}
 * @param logLevel the level of every logger not set otherwise ({@code BOXQ_LOG_LEVEL}): one of {@link #LOG_LEVELS}
 */
public record ServerConfig(
        String host, int port, Set<Role> roles, String workerId, String adminKey, boolean debug, String logFormat,
        String logLevel) {

    public static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    public enum Role { API, EXECUTOR }

    public ServerConfig {
        roles = Set.copyOf(roles);
    }

    public boolean runs(Role role) {
        return roles.contains(role);
    }
}
