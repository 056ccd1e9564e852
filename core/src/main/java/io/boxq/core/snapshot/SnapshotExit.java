package io.boxq.core.snapshot;

/**
 * The exit codes of a node's snapshot operation, the reason on stderr: the executor's
 * {@code WorkspaceSnapshots} gives them, the api turns them into its answer (as {@link
 * io.boxq.core.job.FileExit} does for file calls).
 */
public final class SnapshotExit {
    /** Written and marked ready; stdout holds {@code {"size_bytes", "skipped"}}. */
    public static final int OK = 0;
    /** The workspace could not be saved. */
    public static final int FAILED = 1;
    /** The snapshot was deleted meanwhile. */
    public static final int GONE = 2;
    /** Over what the key has left of its {@code snapshot_bytes}. */
    public static final int TOO_LARGE = 13;

    private SnapshotExit() {}
}
