package io.boxq.executor.runner;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's attached stdout, as docker-java delivers it, turned into blocking reads with
 * deadlines. Bounded: a request announces how many bytes its answer may take ({@link #expect});
 * one byte more, or any byte while no request is in flight, breaks the stream for good, since it
 * can only come from something other than the runner answering. Every read is bounded too. The
 * runner's own stderr is only logged.
 */
final class ShellStream extends ResultCallback.Adapter<Frame> {
    private static final Logger log = LoggerFactory.getLogger(ShellStream.class);
    private static final int MAX_DIAGNOSTIC = 512;
    private static final byte[] NEWLINE = {'\n'};

    private final String containerId;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private byte[] buffer = new byte[4096];
    private int start; // unread bytes are buffer[start, end)
    private int end;
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
        offer(payload); // copies: docker-java reuses its buffer
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
                violate("the runner sent " + data.length + " bytes nobody asked for");
                return;
            }
            budget -= data.length;
            if (end + data.length > buffer.length) {
                int unread = end - start;
                byte[] target = unread + data.length > buffer.length
                        ? new byte[Math.max(buffer.length * 2, unread + data.length)] : buffer;
                System.arraycopy(buffer, start, target, 0, unread);
                buffer = target;
                start = 0;
                end = unread;
            }
            System.arraycopy(data, 0, buffer, end, data.length);
            end += data.length;
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
            if (end > start) {
                violate("the runner sent " + (end - start) + " bytes nobody asked for");
                check();
            }
            buffer = buffer.length > 65536 ? new byte[4096] : buffer; // drops a large answer's buffer
            start = 0;
            end = 0;
            budget = bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Lets the answer in flight take {@code bytes} more than announced (the frames it sent that were read). */
    void allow(long bytes) {
        lock.lock();
        try {
            budget += bytes;
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
        byte[] line = readUntil(NEWLINE, max, deadlineNanos);
        return line == null ? null : new String(line, StandardCharsets.ISO_8859_1);
    }

    /**
     * The bytes before the next {@code terminator}, which is consumed too.
     *
     * @return null when the deadline passed first
     * @throws ShellProtocolException when the stream ended or broke, or the terminator did not
     *     come within {@code max} bytes
     */
    byte[] readUntil(byte[] terminator, int max, long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            int from = 0; // relative to start: where the terminator may begin that was not checked yet
            while (true) {
                int at = indexOf(terminator, from);
                if (at >= 0 && at <= max) {
                    byte[] found = Arrays.copyOfRange(buffer, start, start + at);
                    start += at + terminator.length;
                    return found;
                }
                if (at > max || end - start >= max + terminator.length) {
                    violate("the runner sent more than " + max + " bytes before the end of a part");
                }
                check();
                from = Math.max(0, end - start - terminator.length + 1);
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                changed.awaitNanos(left);
            }
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

    /** Breaks the stream and drops what it holds: none of it can be trusted. */
    private void violate(String reason) {
        start = 0;
        end = 0;
        fail(reason);
    }

    private void check() {
        if (failure != null) {
            throw new ShellProtocolException(failure);
        }
    }

    /** Offset (relative to start) of the first {@code needle} beginning at or after {@code from}, or -1. */
    private int indexOf(byte[] needle, int from) {
        int last = end - needle.length;
        outer:
        for (int i = start + from; i <= last; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (buffer[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i - start;
        }
        return -1;
    }
}
