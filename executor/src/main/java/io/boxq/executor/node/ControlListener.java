package io.boxq.executor.node;

import io.boxq.core.redis.Redis;
import io.boxq.core.redis.Subscription;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Follows the control channel, on which the api asks every node to act now: {@code cleanup <id>}
 * (run the sweeps and report how many things were removed) and {@code cancel <job>} (kill the
 * job's command if it runs here) and {@code snapshots} (remove snapshot files whose record is gone:
 * a delete leaves nothing on disk).
 */
public final class ControlListener implements AutoCloseable {
    private static final long RESULT_TTL_SECONDS = 300;

    private final Redis redis;
    private final String node;
    private final IntSupplier cleanup;
    private final Consumer<String> cancel;
    private final Subscription subscription;
    private final IntSupplier snapshotFiles;

    public ControlListener(Redis redis, String node, IntSupplier cleanup, Consumer<String> cancel,
            IntSupplier snapshotFiles) {
        this.snapshotFiles = snapshotFiles;
        this.redis = redis;
        this.node = node;
        this.cleanup = cleanup;
        this.cancel = cancel;
        this.subscription = new Subscription(redis, redis.keys().controlChannel(), this::onMessage);
    }

    public void start() {
        subscription.start();
    }

    private void onMessage(String message) {
        if (message.equals("snapshots")) {
            Thread.ofVirtual().start(snapshotFiles::getAsInt);
            return;
        }
        String[] parts = message.split(" ", 2);
        if (parts.length == 2 && parts[0].equals("cancel")) {
            cancel.accept(parts[1]);
            return;
        }
        if (parts.length == 2 && parts[0].equals("cleanup") && parts[1].matches("cleanup_[0-9a-f]{1,64}")) {
            Thread.ofVirtual().start(() -> {
                int removed = cleanup.getAsInt();
                String results = redis.keys().cleanupResults(parts[1]);
                redis.run(j -> {
                    j.hset(results, node, Integer.toString(removed));
                    j.expire(results, RESULT_TTL_SECONDS);
                });
            });
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
