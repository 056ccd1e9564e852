package io.boxq.scheduler.tasks;

import io.boxq.scheduler.NodeMaintenance;
import org.quartz.DisallowConcurrentExecution;

/** Removes snapshots past their lifetime, from Redis and from disk, and snapshot files left without a record. */
@DisallowConcurrentExecution
public final class SweepExpiredSnapshotsTask extends NodeTask {
    @Override
    int run(NodeMaintenance node) {
        return node.sweepSnapshots();
    }
}
