package io.boxq.api.jobs;

import io.boxq.api.problem.ProblemException;
import io.boxq.core.job.OutputChunk;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much of each stream a client of {@code /v1/jobs/{id}/events} has: the offsets just past the
 * last byte it got of stdout and of stderr. It is the id of every output event ({@code 12.0}), so
 * a client that reconnects with {@code Last-Event-ID} gets exactly the bytes it lacks. A stream
 * whose chunks show a gap (one could not be stored) takes the rest of its bytes from the result.
 */
final class OutputPosition {
    private static final Pattern ID = Pattern.compile("(\\d{1,15})\\.(\\d{1,15})");

    private final long[] have = new long[2];
    private final boolean[] gap = new boolean[2];

    /**
     * The position named by a {@code Last-Event-ID}, or the start when there is none.
     *
     * @throws ProblemException (400) when it is not an id of these events
     */
    static OutputPosition of(String lastEventId) {
        OutputPosition p = new OutputPosition();
        if (lastEventId == null || lastEventId.isBlank()) {
            return p;
        }
        Matcher m = ID.matcher(lastEventId.strip());
        if (!m.matches()) {
            throw ProblemException.badRequest("Last-Event-ID", "must be the id of an event of this stream, like 12.0");
        }
        p.have[0] = Long.parseLong(m.group(1));
        p.have[1] = Long.parseLong(m.group(2));
        return p;
    }

    /**
     * The part of {@code chunk} the client lacks, as a chunk, and counts it as sent; null when it
     * has all of it, or when a gap lies before it.
     */
    OutputChunk take(OutputChunk chunk) {
        int s = chunk.stream().ordinal();
        if (gap[s] || chunk.end() <= have[s]) {
            return null;
        }
        if (chunk.offset() > have[s]) {
            gap[s] = true;
            return null;
        }
        byte[] data = chunk.data();
        OutputChunk rest = new OutputChunk(chunk.stream(), have[s],
                Arrays.copyOfRange(data, (int) (have[s] - chunk.offset()), data.length));
        have[s] = chunk.end();
        return rest;
    }

    /** What the client lacks of a whole stream ({@code bytes}, from its first byte) as a chunk; null: nothing. */
    OutputChunk rest(OutputChunk.Stream stream, byte[] bytes) {
        int s = stream.ordinal();
        if (bytes.length <= have[s]) {
            return null;
        }
        gap[s] = false;
        return take(new OutputChunk(stream, have[s], Arrays.copyOfRange(bytes, (int) have[s], bytes.length)));
    }

    /** The id of the position where {@code stream} stands at {@code end} and the other where it is now. */
    String idAt(OutputChunk.Stream stream, long end) {
        return stream == OutputChunk.Stream.STDOUT ? end + "." + have[1] : have[0] + "." + end;
    }
}
