package io.boxq.core.config;

import java.time.Duration;

/**
 * How often each maintenance task runs, how long a node's heartbeat lives, how long a running job's
 * stream entry may go unrenewed before another node takes it over, how often an entry may be
 * delivered before it goes to the dead letters, and how long a stopping node waits for its jobs.
 */
public record MaintenanceConfig(
        Duration rebalanceInterval,
        Duration shrinkInterval,
        Duration heartbeatInterval,
        Duration nodeTtl,
        Duration reclaimInterval,
        Duration leaseTimeout,
        int maxDeliveries,
        Duration shutdownGrace) {
}
