package io.boxq.executor.runner;

import java.io.ByteArrayOutputStream;

/** Keeps the first {@code limit} bytes written to it and remembers whether more came. */
public final class CappedBuffer {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final int limit;
    private boolean truncated;

    public CappedBuffer(int limit) {
        this.limit = limit;
    }

    public synchronized void write(byte[] data, int offset, int length) {
        int room = limit - bytes.size();
        if (length > room) {
            truncated = true;
        }
        int take = Math.max(0, Math.min(room, length));
        bytes.write(data, offset, take);
    }

    public synchronized byte[] toByteArray() {
        return bytes.toByteArray();
    }

    public synchronized boolean truncated() {
        return truncated;
    }
}
