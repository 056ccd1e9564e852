package io.boxq.scheduler.tasks;

import io.boxq.scheduler.NodeMaintenance;
import org.quartz.DisallowConcurrentExecution;

/** Refreshes the node's heartbeat (a hash with a TTL, carrying the pool's figures). */
@DisallowConcurrentExecution
public final class HeartbeatTask extends NodeTask {
    @Override
    int run(NodeMaintenance node) {
        node.heartbeat();
        return 0;
    }
}
