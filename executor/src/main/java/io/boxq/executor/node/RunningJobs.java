package io.boxq.executor.node;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.redis.RedisJobOutput;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.redis.StoreUnavailableException;
import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.OutputListener;
import io.boxq.executor.runner.RunRequest;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands running on this node, so a cancellation (announced on the control channel) can
 * reach the runner of its job. The cancel mark in Redis is checked after registering, so a
 * cancellation that came just before the command started is not missed. The output of a job (not
 * of a sandbox operation) goes to its live output stream while it runs.
 */
public final class RunningJobs {
    private static final Logger log = LoggerFactory.getLogger(RunningJobs.class);

    private final RedisJobStore store;
    private final RedisJobOutput output;
    private final Map<String, CommandRunner> running = new ConcurrentHashMap<>();
    /** Jobs whose command this node killed for a cancel. */
    private final Set<String> killed = ConcurrentHashMap.newKeySet();

    public RunningJobs(RedisJobStore store, RedisJobOutput output) {
        this.store = store;
        this.output = output;
    }

    /** How a command ended: its result (null when it was cancelled before it started), and whether it was cancelled. */
    public record Outcome(CommandResult result, boolean cancelled) {}

    public Outcome run(Job job, CommandRunner runner, RunRequest request) {
        running.put(job.id(), runner);
        try {
            if (cancelRequested(job.id())) {
                return new Outcome(null, true);
            }
            CommandResult result = runner.run(job.isOp() ? request : request.withLive(liveOutput(job.id())));
            return new Outcome(result, killed.contains(job.id()) || cancelRequested(job.id()));
        } finally {
            running.remove(job.id());
            killed.remove(job.id());
        }
    }

    /** Kills the command of {@code jobId} if it runs here (once); its run() then returns what it has. */
    public void cancel(String jobId) {
        CommandRunner runner = running.get(jobId);
        if (runner != null && killed.add(jobId)) {
            runner.cancelRunning();
        }
    }

    /**
     * Appends to the job's live output stream. A chunk that cannot be stored (Redis away) is left
     * out: readers notice the gap and take those bytes from the result.
     */
    private OutputListener liveOutput(String jobId) {
        return chunk -> {
            try {
                output.append(jobId, chunk);
            } catch (RuntimeException e) {
                log.debug("job {}: live output at {} of {} not stored: {}", jobId, chunk.offset(),
                        chunk.stream().wireName(), e.getMessage());
            }
        };
    }

    /**
     * The cancel mark in Redis. While Redis is away there is none to read: the command runs (or its
     * result is kept) rather than the job being dropped, and a kill this node made is known anyway.
     */
    private boolean cancelRequested(String jobId) {
        try {
            return store.cancelRequested(jobId);
        } catch (StoreUnavailableException e) {
            log.warn("job {}: cancel mark not readable, Redis is away: {}", jobId, e.getMessage());
            return false;
        }
    }
}
