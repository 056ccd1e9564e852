package io.boxq.scheduler.tasks;

import io.boxq.scheduler.NodeMaintenance;
import org.quartz.DisallowConcurrentExecution;

/** Keeps every pool shape between the minimum and the maximum, aiming at recent demand. */
@DisallowConcurrentExecution
public final class RebalancePoolTask extends NodeTask {
    @Override
    int run(NodeMaintenance node) {
        return node.rebalancePool();
    }
}
