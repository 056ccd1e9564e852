package io.boxq.executor.agent;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads the agent's frames off a channel. A frame's length is checked against the ceiling of its
 * type before its payload is allocated, so no number the agent sends decides an allocation past
 * {@link AgentWire#maxPayload}; an unknown type, a length over its ceiling or a stream that ends
 * inside a frame is an {@link AgentProtocolException}.
 */
final class AgentFrameReader {
    /** One frame: its type and payload. */
    record Frame(byte type, byte[] payload) {}

    private final ReadableByteChannel in;
    private final ByteBuffer head = ByteBuffer.allocate(5);

    AgentFrameReader(ReadableByteChannel in) {
        this.in = in;
    }

    /**
     * The next frame, blocking until it is whole.
     *
     * @return null when the stream ended cleanly between frames
     * @throws AgentProtocolException when what came is not a frame of the agent's
     * @throws IOException when reading failed (the channel was closed, say)
     */
    Frame next() throws IOException {
        head.clear();
        if (!fill(head, true)) {
            return null;
        }
        head.flip();
        byte type = head.get();
        long length = Integer.toUnsignedLong(head.getInt());
        int max = AgentWire.maxPayload(type);
        if (max < 0) {
            throw new AgentProtocolException("a frame of unknown type " + (type & 0xff));
        }
        if (length > max) {
            throw new AgentProtocolException("a frame of type " + (char) type + " and " + length + " bytes (at most "
                    + max + ")");
        }
        ByteBuffer payload = ByteBuffer.allocate((int) length);
        fill(payload, false);
        return new Frame(type, payload.array());
    }

    /** Fills {@code buffer}; false when the stream ended before its first byte and that is allowed. */
    private boolean fill(ByteBuffer buffer, boolean mayEnd) throws IOException {
        boolean started = false;
        while (buffer.hasRemaining()) {
            int n = in.read(buffer);
            if (n < 0) {
                if (mayEnd && !started) {
                    return false;
                }
                throw new AgentProtocolException("the agent's stream ended inside a frame");
            }
            if (n == 0) {
                throw new EOFException("a non-blocking channel"); // never in use: the channel blocks
            }
            started = true;
        }
        return true;
    }
}
