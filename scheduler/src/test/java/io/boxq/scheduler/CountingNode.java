package io.boxq.scheduler;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node that only counts what the scheduler asks of it: how often each task was entered, and the
 * most runs of a task that were inside it at once. One task can be made slow: it stays inside
 * until {@link #release()}.
 */
final class CountingNode implements NodeMaintenance {
    enum Task { HEARTBEAT, REBALANCE, SHRINK, SWEEP, RECLAIM, WEBHOOKS }

    private final Map<Task, AtomicInteger> entered = counters();
    private final Map<Task, AtomicInteger> inside = counters();
    private final Map<Task, AtomicInteger> mostInside = counters();
    private final Task slow;
    private final CountDownLatch released = new CountDownLatch(1);

    /** @param slow the task that stays inside until released, or null for none */
    CountingNode(Task slow) {
        this.slow = slow;
    }

    int entered(Task task) {
        return entered.get(task).get();
    }

    int mostInside(Task task) {
        return mostInside.get(task).get();
    }

    void release() {
        released.countDown();
    }

    @Override
    public int rebalancePool() {
        return enter(Task.REBALANCE);
    }

    @Override
    public int shrinkIdle() {
        return enter(Task.SHRINK);
    }

    @Override
    public int sweepOrphans() {
        return enter(Task.SWEEP);
    }

    @Override
    public int reclaimStalledJobs() {
        return enter(Task.RECLAIM);
    }

    @Override
    public void heartbeat() {
        enter(Task.HEARTBEAT);
    }

    @Override
    public int dispatchWebhooks() {
        return enter(Task.WEBHOOKS);
    }

    /** Not counted: its interval is not set to a second by these tests. */
    @Override
    public int monitorResources() {
        return 0;
    }

    /** Not counted: image cleanup is off by default. */
    @Override
    public int removeDanglingImages() {
        return 0;
    }

    /** Not counted: its interval is not set to a second by these tests. */
    @Override
    public int sweepSnapshots() {
        return 0;
    }

    private int enter(Task task) {
        entered.get(task).incrementAndGet();
        mostInside.get(task).accumulateAndGet(inside.get(task).incrementAndGet(), Math::max);
        try {
            if (task == slow) {
                released.await(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inside.get(task).decrementAndGet();
        }
        return 0;
    }

    private static Map<Task, AtomicInteger> counters() {
        Map<Task, AtomicInteger> counters = new EnumMap<>(Task.class);
        for (Task task : Task.values()) {
            counters.put(task, new AtomicInteger());
        }
        return counters;
    }
}
