package io.boxq.executor.node;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.RunRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The commands running on this node, so a cancellation (announced on the control channel) can
 * reach the runner of its job. The cancel mark in Redis is checked after registering, so a
 * cancellation that came just before the command started is not missed.
 */
public final class RunningJobs {
    private final RedisJobStore store;
    private final Map<String, CommandRunner> running = new ConcurrentHashMap<>();

    public RunningJobs(RedisJobStore store) {
        this.store = store;
    }

    /** How a command ended: its result (null when it was cancelled before it started), and whether it was cancelled. */
    public record Outcome(CommandResult result, boolean cancelled) {}

    public Outcome run(Job job, CommandRunner runner, RunRequest request) {
        running.put(job.id(), runner);
        try {
            if (store.cancelRequested(job.id())) {
                return new Outcome(null, true);
            }
            CommandResult result = runner.run(request);
            return new Outcome(result, store.cancelRequested(job.id()));
        } finally {
            running.remove(job.id());
        }
    }

    /** Kills the command of {@code jobId} if it runs here; its run() then returns what it has. */
    public void cancel(String jobId) {
        CommandRunner runner = running.get(jobId);
        if (runner != null) {
            runner.cancelRunning();
        }
    }
}
