package io.boxq.core.job;

/**
 * Work on a sandbox that travels like a sandbox job (api → Redis → the sandbox's node), so that it
 * runs in order with the sandbox's jobs. Its result is internal: the api turns it into the answer.
 *
 * @param path the workspace path of a file operation, else null
 */
public record SandboxOp(Kind kind, String path) {
    /**
     * How long a pause waits for its turn behind a running job: a pause that reaches the front of
     * its sandbox's line later is called off (its op ends {@code cancelled}) and the caller has
     * been answered {@code 409 sandbox-busy}.
     */
    public static final java.time.Duration PAUSE_WAIT = java.time.Duration.ofSeconds(10);

    public enum Kind {
        CREATE("sandbox.create"),
        DESTROY("sandbox.destroy"),
        WRITE_FILE("file.write"),
        READ_FILE("file.read"),
        STATS("sandbox.stats"),
        SNAPSHOT("sandbox.snapshot"),
        FORK("sandbox.fork"),
        PAUSE("sandbox.pause"),
        RESUME("sandbox.resume");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wireName() {
            return wire;
        }

        public static Kind fromWire(String wire) {
            for (Kind k : values()) {
                if (k.wire.equals(wire)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown sandbox operation " + wire);
        }
    }
}
