package io.boxq.scheduler.tasks;

import io.boxq.scheduler.NodeMaintenance;
import org.quartz.DisallowConcurrentExecution;

/**
 * Samples every sandbox of the node within the interval (in parallel), keeps the bounded history,
 * and handles the seed's thresholds: warnings are recorded, critical memory terminates the sandbox.
 */
@DisallowConcurrentExecution
public final class MonitorResourcesTask extends NodeTask {
    @Override
    int run(NodeMaintenance node) {
        return node.monitorResources();
    }
}
