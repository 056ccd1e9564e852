package io.boxq.scheduler.tasks;

import io.boxq.scheduler.NodeMaintenance;
import org.quartz.DisallowConcurrentExecution;

/** Removes sandbox images that a rebuild left untagged ({@code boxq.image=true}, dangling). */
@DisallowConcurrentExecution
public final class RemoveDanglingImagesTask extends NodeTask {
    @Override
    int run(NodeMaintenance node) {
        return node.removeDanglingImages();
    }
}
