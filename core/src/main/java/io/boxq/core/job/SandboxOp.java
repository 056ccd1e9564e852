package io.boxq.core.job;

/**
 * Work on a sandbox that travels like a sandbox job (api → Redis → the sandbox's node), so that it
 * runs in order with the sandbox's jobs. Its result is internal: the api turns it into the answer.
 *
 * @param path the workspace path of a file operation, else null
 */
public record SandboxOp(Kind kind, String path) {
    public enum Kind {
        CREATE("sandbox.create"),
        DESTROY("sandbox.destroy"),
        WRITE_FILE("file.write"),
        READ_FILE("file.read"),
        STATS("sandbox.stats"),
        SNAPSHOT("sandbox.snapshot"),
        FORK("sandbox.fork");

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
