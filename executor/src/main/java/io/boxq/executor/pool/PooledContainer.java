package io.boxq.executor.pool;

import io.boxq.executor.runner.CommandRunner;
import java.time.Instant;

/**
 * A started container with its runner, as the pool tracks it. Mutable state is guarded by the
 * pool's lock.
 */
public final class PooledContainer {
    private final String id;
    private final Shape shape;
    private volatile CommandRunner runner;
    private String leasedTo;
    private Instant lastUsed;

    PooledContainer(String id, Shape shape, CommandRunner runner, Instant now) {
        this.id = id;
        this.shape = shape;
        this.runner = runner;
        this.lastUsed = now;
    }

    public String id() {
        return id;
    }

    public Shape shape() {
        return shape;
    }

    public CommandRunner runner() {
        return runner;
    }

    /** Puts a freshly attached runner in place of a dead one (a sandbox keeps its container and files). */
    public void replaceRunner(CommandRunner fresh) {
        this.runner = fresh;
    }

    /** The API key this container belongs to, or null while it is still unclaimed in the pool. */
    public String leasedTo() {
        return leasedTo;
    }

    void leaseTo(String keyId) {
        if (leasedTo != null && !leasedTo.equals(keyId)) {
            throw new IllegalStateException("container " + id + " belongs to another key");
        }
        this.leasedTo = keyId;
    }

    Instant lastUsed() {
        return lastUsed;
    }

    void touch(Instant now) {
        this.lastUsed = now;
    }

    @Override
    public String toString() {
        return id.substring(0, Math.min(12, id.length()));
    }
}
