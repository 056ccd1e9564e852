package io.boxq.api.snapshots;

import io.boxq.core.snapshot.Snapshot;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot as the API shows it. {@code available}: a sandbox can be made from it now (it is ready,
 * and it lies in a shared directory or its node is alive); {@code skipped}: workspace paths that
 * were not saved (FIFOs, sockets, devices).
 */
public record SnapshotView(
        String id,
        String sandboxId,
        String state,
        long sizeBytes,
        Instant createdAt,
        Instant expiresAt,
        String image,
        String runtime,
        String node,
        boolean shared,
        boolean available,
        List<String> skipped) {

    static SnapshotView of(Snapshot s, boolean nodeAlive) {
        return new SnapshotView(s.id(), s.sandboxId(), s.state(), s.sizeBytes(), s.createdAt(), s.expiresAt(), s.image(),
                s.runtime(), s.node(), s.shared(), s.ready() && (s.shared() || nodeAlive), s.skipped());
    }
}
