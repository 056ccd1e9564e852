package io.boxq.executor.agent;

import io.boxq.core.job.CommandResult;
import io.boxq.core.job.OutputChunk;
import io.boxq.executor.runner.OutputListener;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A run's output as it comes: both streams whole (up to the budget), and for a watched run the
 * live chunks: held back until {@link AgentCommandRunner#LIVE_AFTER} has passed, then handed over every
 * {@link AgentCommandRunner#LIVE_EVERY} or as soon as {@link AgentWire#CHUNK} bytes wait, whatever sizes of frames
 * they came in.
 */
final class RunOutput {
    private final Bytes[] streams = {null, new Bytes(), new Bytes()};
    private final long[] told = new long[3];
    private final OutputListener live;
    private final long liveFrom;
    private final int limit;
    private boolean streaming;
    private long nextFlush;

    RunOutput(OutputListener live, long liveFrom, int limit) {
        this.live = live;
        this.liveFrom = liveFrom;
        this.limit = limit;
    }

    /** When the held-back output is due; far in the future when nothing is held back. */
    long flushAt() {
        if (live == null) {
            return Long.MAX_VALUE;
        }
        if (!streaming) {
            return liveFrom;
        }
        return held() > 0 ? nextFlush : Long.MAX_VALUE;
    }

    void add(byte[] payload) {
        int stream = AgentWire.stream(payload);
        streams[stream].write(payload, 1, payload.length - 1);
        long now = System.nanoTime();
        if (live != null && (now - (streaming ? nextFlush : liveFrom) >= 0 || streaming && held() >= AgentWire.CHUNK)) {
            flush();
        }
    }

    /** Bytes within the limit not handed to the listener yet. */
    private long held() {
        return Math.min(streams[1].size(), limit) - told[1] + Math.min(streams[2].size(), limit) - told[2];
    }

    /** Hands the listener what it has not had yet (within the limit); the next hand-over is due {@link AgentCommandRunner#LIVE_EVERY} later. */
    void flush() {
        if (live == null) {
            return;
        }
        streaming = true;
        nextFlush = System.nanoTime() + AgentCommandRunner.LIVE_EVERY.toNanos();
        for (int s = 1; s <= 2; s++) {
            int upTo = Math.min(streams[s].size(), limit);
            if (upTo > told[s]) {
                byte[] bytes = streams[s].range((int) told[s], upTo);
                live.chunk(new OutputChunk(s == 1 ? OutputChunk.Stream.STDOUT : OutputChunk.Stream.STDERR,
                        told[s], bytes));
                told[s] = upTo;
            }
        }
    }

    /** A stream's bytes so far, of which flush copies only the new ones (not all of them per frame). */
    private static final class Bytes extends ByteArrayOutputStream {
        synchronized byte[] range(int from, int to) {
            return Arrays.copyOfRange(buf, from, to);
        }
    }

    CommandResult result(AgentWire.Exit exit, boolean timedOut) {
        byte[] out = streams[1].toByteArray();
        byte[] err = streams[2].toByteArray();
        return new CommandResult(exit.code(), Arrays.copyOf(out, Math.min(out.length, limit)),
                Arrays.copyOf(err, Math.min(err.length, limit)), out.length > limit, err.length > limit, timedOut,
                exit.cpuMicros());
    }
}
