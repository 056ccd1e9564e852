package io.boxq.core.job;

/**
 * Bytes a command wrote to one of its streams, and where they begin in that stream: the pieces of
 * live output ({@code GET /v1/jobs/{id}/events}). The chunks of a stream, in order of their
 * offsets, are a prefix of the stream as the job's result holds it.
 */
public record OutputChunk(Stream stream, long offset, byte[] data) {
    /** The two streams of a command, with their names on the wire. */
    public enum Stream {
        STDOUT("stdout"), STDERR("stderr");

        private final String wireName;

        Stream(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** @throws IllegalArgumentException for a name that is not {@code stdout} or {@code stderr} */
        public static Stream fromWire(String name) {
            for (Stream s : values()) {
                if (s.wireName.equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("not an output stream: " + name);
        }
    }

    public OutputChunk {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The offset just past the last byte of this chunk. */
    public long end() {
        return offset + data.length;
    }
}
