package io.boxq.scheduler.tasks;

import io.boxq.core.redis.StoreUnavailableException;
import io.boxq.scheduler.NodeMaintenance;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared part of every task: find the node in the job data, run, log what changed, never throw.
 * While Redis is away or switching (docs/reliability.md) a task waits for its next turn: it says
 * so once, not at every turn, and says when Redis is back.
 */
abstract class NodeTask implements Job {
    static final String NODE = "node";
    /** The tasks that found Redis away at their last turn (Quartz makes a new instance per turn). */
    private static final Set<Class<?>> WAITING = ConcurrentHashMap.newKeySet();
    private final Logger log = LoggerFactory.getLogger(getClass());

    @Override
    public final void execute(JobExecutionContext context) {
        NodeMaintenance node = (NodeMaintenance) context.getMergedJobDataMap().get(NODE);
        try {
            int changed = run(node);
            if (WAITING.remove(getClass())) {
                log.info("{}: Redis is back", getClass().getSimpleName());
            }
            if (changed > 0) {
                log.info("{}: {}", getClass().getSimpleName(), changed);
            }
        } catch (StoreUnavailableException e) {
            if (WAITING.add(getClass())) {
                log.info("{} waits for Redis (trying at each turn): {}", getClass().getSimpleName(), e.getMessage());
            } else {
                log.debug("{} still waits for Redis: {}", getClass().getSimpleName(), e.getMessage());
            }
        } catch (RuntimeException e) {
            log.warn("{} failed: {}", getClass().getSimpleName(), e.getMessage());
        }
    }

    abstract int run(NodeMaintenance node);
}
