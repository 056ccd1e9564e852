package io.boxq.core.snapshot;

import io.boxq.core.redis.RedisKeys;

/** The Redis keys of snapshots (docs/architecture.md, "Redis layout"), under boxq's prefix. */
record SnapshotKeys(String prefix) {
    SnapshotKeys(RedisKeys keys) {
        this(keys.prefix());
    }

    /** One snapshot's record (hash). */
    String snapshot(String id) {
        return prefix + "snapshot:" + id;
    }

    /** A key's snapshots by creation time (zset): listing and the count limit. */
    String keySnapshots(String keyId) {
        return prefix + "key:" + keyId + ":snapshots";
    }

    /** The bytes of a key's ready snapshots (string counter): the size limit. */
    String keySnapshotBytes(String keyId) {
        return prefix + "key:" + keyId + ":snapshot_bytes";
    }

    /** Every snapshot by the time it expires (zset): the sweep. */
    String expiry() {
        return prefix + "snapshots:expiry";
    }
}
