package io.boxq.executor.job;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import io.boxq.core.redis.RedisJobQueue.Entry;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.redis.StoreUnavailableException;
import io.boxq.core.retry.Backoff;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the end of an attempt. A result is not given up because Redis is briefly away: storing is
 * retried with backoff for a while (the entry's lease is renewed meanwhile), and only then left to
 * the stalled-job reclaim.
 */
public final class JobCompleter {
    private static final Logger log = LoggerFactory.getLogger(JobCompleter.class);
    private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(2);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final RedisJobStore store;
    private final String node;
    private final JobEndListener listener;

    public JobCompleter(RedisJobStore store, String node) {
        this(store, node, JobEndListener.NONE);
    }

    /** @param listener told of every end that was stored (metrics, usage) */
    public JobCompleter(RedisJobStore store, String node, JobEndListener listener) {
        this.store = store;
        this.node = node;
        this.listener = listener;
    }

    /** @return true when the end was stored (false: the attempt had lost its lease, or Redis stayed away) */
    public boolean finish(Job job, Entry entry, int token, JobState state, CommandResult result, String error) {
        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        Backoff backoff = new Backoff(Duration.ofMillis(100), MAX_BACKOFF);
        while (true) {
            try {
                // A cancel asked for while it ran wins even when this node missed the control message.
                JobState stored = store.complete(job, entry.stream(), entry.entryId(), token, state, result, error,
                        true);
                if (stored != null) {
                    // A line per job at 600 jobs/s is most of a log: ends are DEBUG (DEBUG=true), unless
                    // boxq could not run the job.
                    if (error != null || log.isDebugEnabled()) {
                        String line = "job {} {} on {} (key {}{}){}";
                        Object[] args = {job.id(), stored.wireName(), node, job.keyId(),
                                job.spec().sandboxId() == null ? "" : ", sandbox " + job.spec().sandboxId(),
                                error == null ? "" : ": " + error};
                        if (error != null) {
                            log.info(line, args);
                        } else {
                            log.debug(line, args);
                        }
                    }
                    ended(job, stored, result);
                } else {
                    log.warn("job {} attempt {} lost its lease; its result was not stored", job.id(), token);
                }
                return stored != null;
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() > deadline || !backoff.pause()) {
                    log.error("job {}: Redis stayed unreachable, the result is lost to the reclaim", job.id());
                    return false;
                }
            }
        }
    }

    private void ended(Job job, JobState state, CommandResult result) {
        try {
            listener.ended(job, state, result, java.time.Instant.now());
        } catch (RuntimeException e) {
            log.warn("job {}: recording its end for metrics and usage failed: {}", job.id(), e.getMessage());
        }
    }
}
