package io.boxq.executor.runner;

import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The runner's stdin as the {@link InputStream} docker-java copies to the hijacked connection (it
 * flushes after every read). Not a {@link java.io.PipedInputStream}: that one polls once a second
 * and breaks when the thread that last wrote has ended, and our writers are short-lived pool
 * threads. Each {@link #send} is one whole request, so a kill sent from another thread never lands
 * inside a run request.
 */
final class ShellStdin extends InputStream {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int offset; // into queue.peekFirst()
    private boolean closed;

    /** @throws ShellProtocolException when the stream is closed */
    void send(byte[] request) {
        lock.lock();
        try {
            if (closed) {
                throw new ShellProtocolException("the runner's stdin is closed");
            }
            queue.addLast(request);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closed) {
                    return -1;
                }
                changed.awaitUninterruptibly();
            }
            int filled = 0;
            while (filled < len && !queue.isEmpty()) {
                byte[] head = queue.peekFirst();
                int count = Math.min(len - filled, head.length - offset);
                System.arraycopy(head, offset, b, off + filled, count);
                filled += count;
                offset += count;
                if (offset == head.length) {
                    queue.removeFirst();
                    offset = 0;
                }
            }
            return filled;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the runner's stdin once what was sent has been copied; the runner then exits. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
