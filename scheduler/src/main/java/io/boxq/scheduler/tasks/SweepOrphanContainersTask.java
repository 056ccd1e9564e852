package io.boxq.scheduler.tasks;

import io.boxq.scheduler.NodeMaintenance;
import org.quartz.DisallowConcurrentExecution;

/** Removes containers of this node that its pool does not hold, and those of dead nodes. */
@DisallowConcurrentExecution
public final class SweepOrphanContainersTask extends NodeTask {
    @Override
    int run(NodeMaintenance node) {
        return node.sweepOrphans();
    }
}
