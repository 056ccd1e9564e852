package io.boxq.scheduler.tasks;

import io.boxq.scheduler.NodeMaintenance;
import org.quartz.DisallowConcurrentExecution;

/** Takes over the jobs of nodes that stopped renewing their leases, and settles dead nodes' streams. */
@DisallowConcurrentExecution
public final class ReclaimStalledJobsTask extends NodeTask {
    @Override
    int run(NodeMaintenance node) {
        return node.reclaimStalledJobs();
    }
}
