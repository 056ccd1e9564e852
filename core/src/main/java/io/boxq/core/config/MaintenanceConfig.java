package io.boxq.core.config;

import java.time.Duration;

/** How often each maintenance task runs, and how long a node's heartbeat lives. */
public record MaintenanceConfig(
        Duration rebalanceInterval,
        Duration shrinkInterval,
        Duration heartbeatInterval,
        Duration nodeTtl,
        Duration reclaimInterval) {
}
