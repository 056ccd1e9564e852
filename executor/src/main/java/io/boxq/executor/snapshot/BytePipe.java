package io.boxq.executor.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pipe of byte chunks between two threads (unlike {@link java.io.PipedInputStream}, any
 * thread may write): a writer that gets ahead of its reader waits, so a stream of any size passes
 * through a few chunks of memory. Either side may break it; the other then gets an {@link IOException}.
 */
final class BytePipe {
    private static final byte[] END = new byte[0];
    private static final int CHUNKS = 16;
    private static final long STALL_SECONDS = 120;

    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(CHUNKS);
    private volatile IOException broken;

    final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0) {
                put(Arrays.copyOfRange(b, off, off + len));
            }
        }

        @Override
        public void close() throws IOException {
            put(END);
        }
    };

    final InputStream in = new InputStream() {
        private byte[] current = new byte[0];
        private int pos;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (current != END && pos == current.length) {
                current = take();
                pos = 0;
            }
            if (current == END) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public void close() {
            breakWith(new IOException("the reader went away"));
        }
    };

    /** Ends the pipe with {@code cause}: the other side's next call throws it. */
    void breakWith(IOException cause) {
        if (broken == null) {
            broken = cause;
        }
        chunks.clear();
        chunks.offer(END);
    }

    private void put(byte[] chunk) throws IOException {
        try {
            while (!chunks.offer(chunk, 1, TimeUnit.SECONDS)) {
                if (broken != null) {
                    throw broken;
                }
            }
            if (broken != null) {
                throw broken;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
    }

    private byte[] take() throws IOException {
        try {
            byte[] chunk = chunks.poll(STALL_SECONDS, TimeUnit.SECONDS);
            if (chunk == null) {
                throw new IOException("the stream stalled for " + STALL_SECONDS + " s");
            }
            if (chunk == END && broken != null) {
                throw broken;
            }
            return chunk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
    }
}
