package io.boxq.core.snapshot;

import java.time.Instant;
import java.util.List;

/**
 * A saved workspace: the files of a sandbox at one moment, kept on the disk of the node that took
 * it (or in a directory every node shares), owned by the API key of that sandbox.
 *
 * @param state {@code pending} while its node writes it, {@code ready} once the file is complete
 * @param image the image of the sandbox it was taken from; a restore must use the same
 * @param runtime the container runtime of that sandbox ({@code ""}: the engine's default); a
 *     restore must run under the same
 * @param sizeBytes the workspace's bytes as archived (uncompressed); what the tier's total counts
 * @param skipped workspace paths that were not saved (FIFOs, sockets, devices)
 * @param shared whether it lies in a directory every node shares
 */
public record Snapshot(
        String id,
        String keyId,
        String sandboxId,
        String node,
        String image,
        String runtime,
        long sizeBytes,
        String state,
        Instant createdAt,
        Instant expiresAt,
        List<String> skipped,
        boolean shared) {
    public static final String PENDING = "pending";
    public static final String READY = "ready";

    public Snapshot {
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
        runtime = runtime == null ? "" : runtime;
    }

    public boolean ready() {
        return READY.equals(state);
    }

    /** The name of its file in the snapshot directory. */
    public String fileName() {
        return fileName(id);
    }

    public static String fileName(String id) {
        return id + ".tar.gz";
    }
}
