package io.boxq.executor.pool;

/** Where a container goes once started: to a key's job, to a sandbox, or to the warm containers. */
record Destination(String keyId, boolean sandbox) {
    static final Destination UNCLAIMED = new Destination(null, false);
    static final Destination SANDBOX = new Destination(null, true);

    static Destination leasedTo(String keyId) {
        return new Destination(keyId, false);
    }
}
