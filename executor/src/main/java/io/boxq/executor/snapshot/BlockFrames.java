package io.boxq.executor.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Frames a tar stream for {@code restore.sh}: a line with a count of 512-byte blocks, then those
 * blocks; a count of 0 ends the stream (which closing this does). A tar stream is whole blocks, so
 * nothing is left over at the end.
 */
final class BlockFrames extends OutputStream {
    /** Blocks per frame: 1 MiB, so a frame is one {@code dd} in the container. */
    static final int FRAME_BLOCKS = 2048;

    private final OutputStream out;
    private final byte[] buf = new byte[FRAME_BLOCKS * TarStream.BLOCK];
    private int used;

    BlockFrames(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, buf.length - used);
            System.arraycopy(b, off, buf, used, n);
            used += n;
            off += n;
            len -= n;
            if (used == buf.length) {
                frame();
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (used % TarStream.BLOCK != 0) {
            throw new IOException("the archive does not end on a block");
        }
        frame();
        out.write("0\n".getBytes(StandardCharsets.US_ASCII));
        out.close();
    }

    private void frame() throws IOException {
        if (used == 0) {
            return;
        }
        out.write((used / TarStream.BLOCK + "\n").getBytes(StandardCharsets.US_ASCII));
        out.write(buf, 0, used);
        used = 0;
    }
}
