package io.boxq.core.config;

import java.util.Set;

/** What this process runs and where it listens. */
public record ServerConfig(
        String host, int port, Set<Role> roles, String workerId, String adminKey, boolean debug, String logFormat) {

    public enum Role { API, EXECUTOR }

    public ServerConfig {
        roles = Set.copyOf(roles);
    }

    public boolean runs(Role role) {
        return roles.contains(role);
    }
}
