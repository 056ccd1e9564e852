package io.boxq.scheduler.tasks;

import io.boxq.scheduler.NodeMaintenance;
import org.quartz.DisallowConcurrentExecution;

/** Destroys containers idle past their timeout and unclaimed ones above the target. */
@DisallowConcurrentExecution
public final class ShrinkIdleContainersTask extends NodeTask {
    @Override
    int run(NodeMaintenance node) {
        return node.shrinkIdle();
    }
}
