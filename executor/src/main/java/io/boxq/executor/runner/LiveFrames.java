package io.boxq.executor.runner;

import io.boxq.core.job.OutputChunk;

/**
 * The live output frames of one run (see {@link ShellProtocol}): where each stream stands, how
 * much more it may send, and the listener the bytes go to. The runner is not trusted, so a frame
 * past the limit is a protocol violation, and only frames that were read whole earn back the
 * budget of the answer that their header and terminator used.
 */
final class LiveFrames {
    /** Answer bytes a streaming run may send on top of {@link ShellProtocol#maxRunAnswer}: the
     * bytes of both streams once, and the headers and terminators of up to 16 frames not yet read. */
    static long budget(int outputLimit) {
        return 2L * outputLimit + 16L * (ShellProtocol.MAX_LINE + 32);
    }

    private final OutputListener listener;
    private final int limit;
    private final long[] sent = new long[3]; // by part: 1 stdout, 2 stderr

    LiveFrames(OutputListener listener, int limit) {
        this.listener = listener;
        this.limit = limit;
    }

    /** The most bytes the next frame of {@code part} may carry. */
    int room(int part) {
        return (int) (limit - sent[part]);
    }

    /** Hands on the bytes of a whole frame of {@code part}; empty frames are dropped. */
    void accept(int part, byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        OutputChunk.Stream stream = part == 1 ? OutputChunk.Stream.STDOUT : OutputChunk.Stream.STDERR;
        listener.chunk(new OutputChunk(stream, sent[part], bytes));
        sent[part] += bytes.length;
    }
}
