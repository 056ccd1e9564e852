package io.boxq.api.jobs;

import io.boxq.core.redis.JobEnd;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.Subscription;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Long-poll support: one Redis subscription per api process fans completion messages out to the
 * waiting requests, so no waiter holds a Redis connection. See {@link JobAwaiter} for how waiters
 * use it without missing an end.
 */
public final class CompletionWaiters implements AutoCloseable {
    private final Map<String, List<CompletableFuture<JobEnd>>> waiters = new ConcurrentHashMap<>();
    private final Subscription subscription;

    public CompletionWaiters(Redis redis) {
        this.subscription = new Subscription(redis, redis.keys().doneChannel(), this::done);
    }

    public void start() {
        subscription.start();
    }

    /**
     * A future completed with the message when {@code jobId} is announced as done (with the fields its
     * end changed when the message carries them). Call {@link #forget} when done waiting.
     */
    public CompletableFuture<JobEnd> register(String jobId) {
        CompletableFuture<JobEnd> f = new CompletableFuture<>();
        waiters.computeIfAbsent(jobId, k -> new CopyOnWriteArrayList<>()).add(f);
        return f;
    }

    public void forget(String jobId, CompletableFuture<JobEnd> f) {
        waiters.computeIfPresent(jobId, (k, list) -> {
            list.remove(f);
            return list.isEmpty() ? null : list;
        });
    }

    private void done(String message) {
        JobEnd end = JobEnd.parse(message);
        List<CompletableFuture<JobEnd>> list = waiters.remove(end.jobId());
        if (list != null) {
            list.forEach(f -> f.complete(end));
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
