package io.boxq.api.jobs;

import io.boxq.core.redis.Redis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;

/**
 * Long-poll support: one Redis subscription per api process fans completion messages out to the
 * waiting requests, so no waiter holds a Redis connection. A waiter registers before it reads the
 * job's state, so a completion between the two is never missed; waiters also re-read the state
 * now and then, which covers messages lost while the subscription reconnects.
 */
public final class CompletionWaiters implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CompletionWaiters.class);

    private final Redis redis;
    private final Map<String, List<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private final Subscriber subscriber = new Subscriber();
    private volatile boolean running = true;
    private Thread thread;

    public CompletionWaiters(Redis redis) {
        this.redis = redis;
    }

    public void start() {
        thread = Thread.ofPlatform().name("boxq-completions").daemon().start(this::listen);
    }

    /** A future completed when {@code jobId} is announced as done. Call {@link #forget} when done waiting. */
    public CompletableFuture<Void> register(String jobId) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.computeIfAbsent(jobId, k -> new CopyOnWriteArrayList<>()).add(f);
        return f;
    }

    public void forget(String jobId, CompletableFuture<Void> f) {
        waiters.computeIfPresent(jobId, (k, list) -> {
            list.remove(f);
            return list.isEmpty() ? null : list;
        });
    }

    private void listen() {
        Duration backoff = Duration.ofMillis(100);
        while (running) {
            try {
                redis.run(j -> j.subscribe(subscriber, redis.keys().doneChannel()));
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("completion subscription lost, again in {} ms: {}", backoff.toMillis(), e.getMessage());
                }
            }
            if (running) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    return;
                }
                backoff = backoff.compareTo(Duration.ofSeconds(2)) >= 0 ? backoff : backoff.multipliedBy(2);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            if (subscriber.isSubscribed()) {
                subscriber.unsubscribe();
            }
        } catch (RuntimeException e) {
            log.debug("unsubscribe: {}", e.getMessage());
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    private final class Subscriber extends JedisPubSub {
        @Override
        public void onMessage(String channel, String jobId) {
            List<CompletableFuture<Void>> list = waiters.remove(jobId);
            if (list != null) {
                list.forEach(f -> f.complete(null));
            }
        }
    }
}
