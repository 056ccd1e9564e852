package io.boxq.executor.node;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * Runs tasks with the same name one after another, in the order they were given, and tasks of
 * different names side by side: a sandbox's jobs run in order, one at a time.
 */
final class SerialQueues {
    private final Executor executor;
    private final Map<String, Queue<Runnable>> queues = new HashMap<>();

    SerialQueues(Executor executor) {
        this.executor = executor;
    }

    void execute(String name, Runnable task) {
        synchronized (queues) {
            Queue<Runnable> queue = queues.get(name);
            if (queue != null) {
                queue.add(task);
                return;
            }
            queues.put(name, new ArrayDeque<>());
        }
        executor.execute(() -> drain(name, task));
    }

    private void drain(String name, Runnable first) {
        Runnable next = first;
        while (next != null) {
            try {
                next.run();
            } finally {
                synchronized (queues) {
                    next = queues.get(name).poll();
                    if (next == null) {
                        queues.remove(name);
                    }
                }
            }
        }
    }
}
