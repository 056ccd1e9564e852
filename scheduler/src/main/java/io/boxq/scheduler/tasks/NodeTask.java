package io.boxq.scheduler.tasks;

import io.boxq.scheduler.NodeMaintenance;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The shared part of every task: find the node in the job data, run, log what changed, never throw. */
abstract class NodeTask implements Job {
    static final String NODE = "node";
    private final Logger log = LoggerFactory.getLogger(getClass());

    @Override
    public final void execute(JobExecutionContext context) {
        NodeMaintenance node = (NodeMaintenance) context.getMergedJobDataMap().get(NODE);
        try {
            int changed = run(node);
            if (changed > 0) {
                log.info("{}: {}", getClass().getSimpleName(), changed);
            }
        } catch (RuntimeException e) {
            log.warn("{} failed: {}", getClass().getSimpleName(), e.getMessage());
        }
    }

    abstract int run(NodeMaintenance node);
}
