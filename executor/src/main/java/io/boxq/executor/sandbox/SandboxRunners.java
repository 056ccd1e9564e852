package io.boxq.executor.sandbox;

import io.boxq.executor.pool.ContainerFactory;
import io.boxq.executor.pool.PooledContainer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who uses a sandbox's runner: one user at a time (its jobs and operations, or the resource
 * monitor), and which sandboxes have a job or file call in them now. A runner that died is
 * relaunched in the same container, which keeps its files.
 */
public final class SandboxRunners {
    private static final Logger log = LoggerFactory.getLogger(SandboxRunners.class);

    private final ContainerFactory containers;
    /** One user of a sandbox's runner at a time: its jobs and operations, or the resource monitor. */
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** Sandboxes with a job or file call in them now: busy, so never idle (the monitor's samples do not count). */
    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    public SandboxRunners(ContainerFactory containers) {
        this.containers = containers;
    }

    /** The lock every user of the sandbox's runner holds while it uses it. */
    ReentrantLock lock(String sandboxId) {
        return locks.computeIfAbsent(sandboxId, id -> new ReentrantLock());
    }

    /**
     * Runs {@code work} as the one user of the sandbox's runner (a job, a file call, a copy): busy, so
     * never idle, while it waits and runs, and its activity {@code touch}ed before and after.
     */
    <T> T holding(String sandboxId, Runnable touch, java.util.function.Supplier<T> work) {
        touch.run();
        busy.add(sandboxId);
        ReentrantLock lock = lock(sandboxId);
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
            touch.run();
            busy.remove(sandboxId);
        }
    }

    boolean busy(String sandboxId) {
        return busy.contains(sandboxId);
    }

    /** Forgets an ended sandbox. */
    void forget(String sandboxId) {
        locks.remove(sandboxId);
    }

    /**
     * Closes the container's runner and attaches a new one.
     *
     * @throws RuntimeException when no runner can be attached
     */
    void relaunch(String sandboxId, PooledContainer c) {
        c.runner().close();
        c.replaceRunner(containers.attachRunner(c.id()));
        log.info("sandbox {}: runner relaunched", sandboxId);
    }
}
