package io.boxq.api.jobs;

import io.boxq.core.job.Job;
import io.boxq.core.redis.JobEnd;
import io.boxq.core.redis.RedisJobStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a job to reach a terminal state: registers for its completion message before reading
 * its state (so the end cannot slip between the two), and reads again now and then in case a
 * message was lost. A message that carries the end's fields ({@link JobEnd}: a small result stored
 * by {@code complete.lua}) is applied to the job as read before the wait, so the woken waiter
 * answers without reading it again; any other message makes it read the job.
 */
public final class JobAwaiter {
    /** A waiter re-reads the job this often, in case a completion message was lost. */
    private static final Duration RECHECK = Duration.ofSeconds(2);

    private final RedisJobStore store;
    private final CompletionWaiters waiters;

    public JobAwaiter(RedisJobStore store, CompletionWaiters waiters) {
        this.store = store;
        this.waiters = waiters;
    }

    /**
     * @return the job once it ended, or as it is when {@code wait} ran out
     * @throws io.boxq.core.job.JobNotFoundException when it is not a job of {@code keyId}
     */
    public Job await(String id, String keyId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            CompletableFuture<JobEnd> done = waiters.register(id);
            try {
                Map<String, String> fields = store.getFields(id, keyId);
                Job job = RedisJobStore.job(fields);
                long left = deadline - System.nanoTime();
                if (job.state().isTerminal() || left <= 0) {
                    return job;
                }
                JobEnd end = done.get(Math.min(left, RECHECK.toNanos()), TimeUnit.NANOSECONDS);
                if (!end.fields().isEmpty()) {
                    return RedisJobStore.job(end.applyTo(fields));
                }
            } catch (TimeoutException | ExecutionException e) {
                // read the state again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return store.get(id, keyId);
            } finally {
                waiters.forget(id, done);
            }
        }
    }
}
