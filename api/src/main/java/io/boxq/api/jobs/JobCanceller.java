package io.boxq.api.jobs;

import io.boxq.api.metrics.ApiMetrics;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.job.JobNotFoundException;
import io.boxq.core.job.JobState;
import io.boxq.core.redis.RedisJobStore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels jobs: a queued one ends {@code cancelled} at once (and its run slot goes to the key's
 * next backlog job); a running one is marked, and every node is told, so the one running it kills
 * its process group.
 */
public final class JobCanceller {
    private static final Logger log = LoggerFactory.getLogger(JobCanceller.class);

    private final BoxqConfig config;
    private final RedisJobStore store;
    private final Consumer<String> control;
    private final ApiMetrics metrics;

    /**
     * @param control publishes a message to every node
     * @param metrics counts the jobs that end here (cancelled while queued)
     */
    public JobCanceller(BoxqConfig config, RedisJobStore store, Consumer<String> control, ApiMetrics metrics) {
        this.config = config;
        this.store = store;
        this.control = control;
        this.metrics = metrics;
    }

    /**
     * @throws io.boxq.core.job.JobNotFoundException when it is not a job of {@code caller}
     */
    public RedisJobStore.Cancel cancel(ApiKey caller, String id) {
        RedisJobStore.Cancel outcome = store.cancel(id, caller.id(), caller.limits(config::limits).concurrentJobs());
        if (outcome == RedisJobStore.Cancel.RUNNING) {
            control.accept("cancel " + id);
        } else if (outcome == RedisJobStore.Cancel.CANCELLED) {
            metrics.jobEnded(JobState.CANCELLED);
            log.info("job {} cancelled while queued (key {})", id, caller.id());
        }
        return outcome;
    }

    /**
     * Cancels every job of {@code key} that has not ended (a revoked key's).
     *
     * @return how many it cancelled
     */
    public int cancelAll(ApiKey key) {
        int cancelled = 0;
        for (String id : store.unended(key.id())) {
            try {
                cancelled += cancel(key, id) == RedisJobStore.Cancel.ALREADY_ENDED ? 0 : 1;
            } catch (JobNotFoundException e) {
                // expired meanwhile
            }
        }
        return cancelled;
    }
}
