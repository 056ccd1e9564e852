package io.boxq.executor.job;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.OutputChunk;
import io.boxq.core.redis.RedisJobOutput;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.executor.runner.CommandRunner;
import io.boxq.executor.runner.OutputListener;
import io.boxq.executor.runner.RunRequest;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands running on this node, so a cancellation (announced on the control channel) can
 * reach the runner of its job. A cancel that comes before its command is registered here (between
 * the job's start and its run) is remembered, so the command does not run; one asked for while the
 * command runs and missed here (a lost message) makes the end {@code cancelled} in the completion
 * script, and a long command is killed at its next lease renewal ({@code renew.lua}). Neither needs a
 * read of the job. The output of a job (not of a sandbox operation) goes to its live output stream
 * while it runs.
 */
public final class RunningJobs {
    private static final Logger log = LoggerFactory.getLogger(RunningJobs.class);
    /** Cancels for commands not registered (yet) are kept this long: most name jobs of other nodes. */
    private static final long EARLY_CANCEL_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    private static final int EARLY_CANCELS_PRUNED_AT = 1024;

    private final RedisJobOutput output;
    private final Map<String, CommandRunner> running = new ConcurrentHashMap<>();
    /** Jobs whose command this node killed for a cancel. */
    private final Set<String> killed = ConcurrentHashMap.newKeySet();
    /** Cancels that came before their command ran here, by when they came (System.nanoTime). */
    private final Map<String, Long> early = new ConcurrentHashMap<>();

    public RunningJobs(RedisJobStore store, RedisJobOutput output) {
        this.output = output;
    }

    /** How a command ended: its result (null when it was cancelled before it started), and whether it was cancelled. */
    public record Outcome(CommandResult result, boolean cancelled) {}

    public Outcome run(Job job, CommandRunner runner, RunRequest request) {
        running.put(job.id(), runner);
        try {
            if (early.remove(job.id()) != null) {
                return new Outcome(null, true);
            }
            CommandResult result = runner.run(job.isOp() ? request : request.withLive(liveOutput(job.id())));
            return new Outcome(result, killed.contains(job.id()));
        } finally {
            running.remove(job.id());
            killed.remove(job.id());
        }
    }

    /**
     * Kills the command of {@code jobId} if it runs here (once); its run() then returns what it has.
     * A cancel for a command not running here is remembered for a minute, in case it is about to run.
     */
    public void cancel(String jobId) {
        CommandRunner runner = running.get(jobId);
        if (runner == null) {
            remember(jobId);
            runner = running.get(jobId); // it may have been registered meanwhile
            if (runner == null) {
                return;
            }
            early.remove(jobId);
        }
        if (killed.add(jobId)) {
            runner.cancelRunning();
        }
    }

    private void remember(String jobId) {
        long now = System.nanoTime();
        if (early.size() >= EARLY_CANCELS_PRUNED_AT) {
            early.values().removeIf(at -> now - at > EARLY_CANCEL_NANOS);
        }
        early.put(jobId, now);
    }

    /**
     * Appends to the job's live output stream. A chunk that cannot be stored (Redis away) is left
     * out: readers notice the gap and take those bytes from the result.
     */
    private OutputListener liveOutput(String jobId) {
        Consumer<OutputChunk> appender = output.appender(jobId);
        return chunk -> {
            try {
                appender.accept(chunk);
            } catch (RuntimeException e) {
                log.debug("job {}: live output at {} of {} not stored: {}", jobId, chunk.offset(),
                        chunk.stream().wireName(), e.getMessage());
            }
        };
    }
}
