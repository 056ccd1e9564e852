package io.boxq.executor.runner;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's attached stdout, as docker-java delivers it, turned into blocking reads with
 * deadlines. Bounded: a request announces how many bytes its answer may take ({@link #expect});
 * one byte more, or any byte while no request is in flight, breaks the stream for good, since it
 * can only come from something other than the runner answering. Lines are bounded too. The
 * runner's own stderr is only logged.
 */
final class ShellStream extends ResultCallback.Adapter<Frame> {
    private static final Logger log = LoggerFactory.getLogger(ShellStream.class);
    private static final int MAX_DIAGNOSTIC = 512;

    private final String containerId;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int offset; // into chunks.peekFirst()
    private long buffered;
    private long budget;
    private volatile String failure;

    ShellStream(String containerId) {
        this.containerId = containerId;
    }

    @Override
    public void onNext(Frame frame) {
        byte[] payload = frame.getPayload();
        if (payload == null || payload.length == 0) {
            return;
        }
        if (frame.getStreamType() == StreamType.STDERR) {
            String text = new String(payload, 0, Math.min(payload.length, MAX_DIAGNOSTIC), StandardCharsets.UTF_8);
            log.debug("runner in {} says: {}", containerId, text.strip());
            return;
        }
        offer(payload); // docker-java reuses full buffers: offer copies
    }

    @Override
    public void onError(Throwable throwable) {
        fail("the runner's stream broke: " + throwable.getMessage());
        super.onError(throwable);
    }

    @Override
    public void onComplete() {
        fail("the runner exited");
        super.onComplete();
    }

    void offer(byte[] data) {
        lock.lock();
        try {
            if (failure != null) {
                return;
            }
            if (data.length > budget) {
                fail("the runner sent " + data.length + " bytes nobody asked for");
                return;
            }
            chunks.addLast(Arrays.copyOf(data, data.length));
            buffered += data.length;
            budget -= data.length;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Allows the answer to the next request: at most {@code bytes}. Nothing may be left unread. */
    void expect(long bytes) {
        lock.lock();
        try {
            check();
            if (buffered > 0) {
                fail("the runner sent " + buffered + " bytes nobody asked for");
                check();
            }
            budget = bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the request in flight: the answer must have been read to its last byte. */
    void finish() {
        expect(0);
    }

    /**
     * The next line, without its newline, decoded as Latin-1.
     *
     * @return null when the deadline passed first
     * @throws ShellProtocolException when the stream ended or broke, or no newline came within
     *     {@code max} bytes
     */
    String readLine(int max, long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            int length;
            while ((length = lineLength(max)) < 0) {
                check();
                if (buffered >= max) {
                    fail("the runner sent a line longer than " + max + " bytes");
                    check();
                }
                if (!await(deadlineNanos)) {
                    return null;
                }
            }
            byte[] line = take(length + 1);
            return new String(line, 0, length, StandardCharsets.ISO_8859_1);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Exactly {@code n} bytes.
     *
     * @throws ShellProtocolException when the stream ended or broke, or the deadline passed first
     */
    byte[] read(int n, long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (buffered < n) {
                check();
                if (!await(deadlineNanos)) {
                    fail("the runner stopped in the middle of an answer");
                    check();
                }
            }
            return take(n);
        } finally {
            lock.unlock();
        }
    }

    /** Why the stream is unusable, or null while it is fine. */
    String failure() {
        return failure;
    }

    void fail(String reason) {
        lock.lock();
        try {
            if (failure == null) {
                failure = reason;
                log.debug("runner in {} is gone: {}", containerId, reason);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void check() {
        if (failure != null) {
            throw new ShellProtocolException(failure);
        }
    }

    /** Waits for a change; false once the deadline has passed. */
    private boolean await(long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        changed.awaitNanos(left);
        return true;
    }

    /** Index of the first newline within the first {@code max} buffered bytes, or -1. */
    private int lineLength(int max) {
        int index = 0;
        int skip = offset;
        for (byte[] chunk : chunks) {
            for (int i = skip; i < chunk.length && index < max; i++, index++) {
                if (chunk[i] == '\n') {
                    return index;
                }
            }
            skip = 0;
        }
        return -1;
    }

    private byte[] take(int n) {
        byte[] out = new byte[n];
        int filled = 0;
        while (filled < n) {
            byte[] chunk = chunks.peekFirst();
            int count = Math.min(n - filled, chunk.length - offset);
            System.arraycopy(chunk, offset, out, filled, count);
            filled += count;
            offset += count;
            if (offset == chunk.length) {
                chunks.removeFirst();
                offset = 0;
            }
        }
        buffered -= n;
        return out;
    }
}
