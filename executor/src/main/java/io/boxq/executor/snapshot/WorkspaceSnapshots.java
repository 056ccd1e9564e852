package io.boxq.executor.snapshot;

import io.boxq.core.audit.AuditLog;
import io.boxq.core.job.CommandResult;
import io.boxq.core.json.Json;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.core.snapshot.RedisSnapshotStore;
import io.boxq.core.snapshot.Snapshot;
import io.boxq.core.snapshot.SnapshotExit;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's side of snapshots and forks (docs/architecture.md, "Snapshots and forks"): writes a
 * sandbox's workspace to the snapshot directory, fills a new sandbox's container from a snapshot,
 * copies a workspace from one container straight into another, and sweeps expired snapshots and
 * leftover files.
 */
public final class WorkspaceSnapshots {
    private static final Logger log = LoggerFactory.getLogger(WorkspaceSnapshots.class);
    private static final int SWEEP_BATCH = 200;

    private final WorkspaceArchive archive;
    private final SnapshotFiles files;
    private final RedisSnapshotStore store;
    private final NodeDirectory nodes;
    private final AuditLog audit;
    private final String defaultRuntime;
    private final String workspace;

    /** @param defaultRuntime the deployment's default runtime, that of a sandbox recorded without one */
    public WorkspaceSnapshots(WorkspaceArchive archive, Path dir, RedisSnapshotStore store, NodeDirectory nodes,
            AuditLog audit, String node, String defaultRuntime, String workspace) {
        this.archive = archive;
        this.files = new SnapshotFiles(dir, node);
        this.store = store;
        this.nodes = nodes;
        this.audit = audit;
        this.defaultRuntime = defaultRuntime == null ? "" : defaultRuntime;
        this.workspace = workspace;
    }

    /**
     * The snapshot operation: writes the workspace of {@code containerId} to snapshot
     * {@code payload.snapshot_id} (pending, reserved by the api) and marks it ready.
     *
     * @param payload {@code {"snapshot_id": …, "limit_bytes": the key's total}}
     * @return exit {@link SnapshotExit#OK} with {@code {"size_bytes", "skipped"}}, or
     *     {@link SnapshotExit#TOO_LARGE}, {@link SnapshotExit#GONE} or {@link SnapshotExit#FAILED}
     *     with a reason on stderr
     */
    public CommandResult take(Sandbox s, String containerId, byte[] payload) {
        Map<?, ?> p = Json.read(new String(payload, StandardCharsets.UTF_8), Map.class);
        String id = (String) p.get("snapshot_id");
        long limit = ((Number) p.get("limit_bytes")).longValue();
        Optional<Snapshot> pending = store.find(id).filter(x -> !x.ready());
        if (pending.isEmpty()) {
            return result(SnapshotExit.GONE, "", "the snapshot was deleted meanwhile");
        }
        long left = Math.max(0, limit - store.bytesUsed(s.keyId()));
        Path temp = files.begin(id);
        long size;
        List<String> skipped;
        try (WorkspaceArchive.Capture capture = archive.capture(containerId)) {
            WorkspaceModes modes = WorkspaceModes.saving(capture.modes());
            try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(temp)), 64 * 1024)) {
                size = TarStream.copy(capture.archive(), out, modes, left);
            }
            capture.finish();
            skipped = skipped(capture.sockets(), modes.skipped());
            files.commit(id, temp);
        } catch (TarStream.TooLargeException e) {
            files.abandon(id, temp);
            store.delete(pending.get());
            return result(SnapshotExit.TOO_LARGE, "", tooLarge(left, limit));
        } catch (IOException | RuntimeException e) {
            files.abandon(id, temp);
            store.delete(pending.get());
            log.warn("snapshot {} of sandbox {} failed: {}", id, s.id(), e.getMessage());
            return result(SnapshotExit.FAILED, "", "the workspace could not be saved: " + e.getMessage());
        }
        return switch (store.markReady(pending.get(), size, skipped, runtimeOf(s), limit)) {
            case READY -> result(SnapshotExit.OK, Json.write(Map.of("size_bytes", size, "skipped", skipped)), "");
            case TOO_LARGE -> {
                store.delete(pending.get());
                files.delete(id);
                yield result(SnapshotExit.TOO_LARGE, "", tooLarge(Math.max(0, limit - store.bytesUsed(s.keyId())), limit));
            }
            case GONE -> {
                files.delete(id);
                yield result(SnapshotExit.GONE, "", "the snapshot was deleted meanwhile");
            }
        };
    }

    /** The runtime {@code s} runs under (a record from before runtimes were chosen: the default). */
    private String runtimeOf(Sandbox s) {
        return s.runtime() != null ? s.runtime() : defaultRuntime;
    }

    /**
     * Fills the empty workspace of {@code containerId}, the container of new sandbox {@code s}, with
     * snapshot {@code snapshotId}.
     *
     * @throws IllegalStateException saying why it cannot (gone, another image or runtime, not on this node)
     */
    public void restore(Sandbox s, String containerId, String snapshotId) {
        Snapshot snap = store.find(snapshotId, s.keyId()).filter(Snapshot::ready)
                .orElseThrow(() -> new IllegalStateException("snapshot " + snapshotId + " no longer exists"));
        if (!snap.image().equals(s.image())) {
            throw new IllegalStateException("snapshot " + snapshotId + " is of image " + snap.image() + ", not " + s.image());
        }
        if (!snap.runtime().equals(runtimeOf(s))) {
            throw new IllegalStateException("snapshot " + snapshotId + " was taken under runtime '" + snap.runtime()
                    + "', the sandbox runs '" + runtimeOf(s) + "'");
        }
        Path file = files.file(snapshotId);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("snapshot " + snapshotId + " is not on this node's SNAPSHOT_DIR");
        }
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)), 64 * 1024)) {
            unpack(in, containerId, Map.of());
        } catch (IOException e) {
            throw new IllegalStateException("snapshot " + snapshotId + " could not be read: " + e.getMessage(), e);
        }
    }

    /**
     * Copies the workspace of {@code from} into the empty one of {@code to}, straight from one
     * container to the other (no file in between), with {@code from}'s processes stopped meanwhile.
     *
     * @return the paths left out (FIFOs, sockets, devices)
     */
    public List<String> copy(String from, String to) {
        try (WorkspaceArchive.Capture capture = archive.capture(from)) {
            List<String> skipped = unpack(capture.archive(), to, capture.modes());
            capture.finish();
            return skipped(capture.sockets(), skipped);
        } catch (IOException e) {
            throw new IllegalStateException("the workspace could not be copied: " + e.getMessage(), e);
        }
    }

    private List<String> unpack(InputStream tar, String containerId, Map<String, Integer> realModes) throws IOException {
        WorkspaceModes modes = WorkspaceModes.restoring(realModes);
        WorkspaceArchive.Restore restore = archive.restore(containerId);
        try {
            TarStream.copy(tar, restore.input(), modes, Long.MAX_VALUE);
            restore.input().close();
        } catch (IOException | RuntimeException e) {
            restore.abort();
            throw e;
        }
        restore.finish(modes.toClose());
        return modes.skipped();
    }

    /**
     * Removes expired snapshots (records and files), pending ones whose node died, and files nobody
     * keeps a record of.
     *
     * @return how many snapshots and files went
     */
    public int sweep() {
        int removed = 0;
        for (String id : store.expiredBy(store.now(), SWEEP_BATCH)) {
            Optional<Snapshot> s = store.find(id);
            if (s.isEmpty()) {
                store.forgetId(id);
            } else if (store.delete(s.get())) {
                audit.record("system", "snapshot.expired", id, Map.of("key", s.get().keyId()));
                removed++;
            }
        }
        for (String id : store.allIds()) {
            Optional<Snapshot> s = store.find(id);
            if (s.isPresent() && !s.get().ready() && !nodes.isAlive(s.get().node()) && store.delete(s.get())) {
                audit.record("system", "snapshot.lost", id, Map.of("node", s.get().node()));
                removed++;
            }
        }
        return removed + sweepFiles();
    }

    /** Removes files of this node's directory whose snapshot is gone (after a delete, say). */
    public int sweepFiles() {
        return files.sweep(store::find);
    }

    private List<String> skipped(List<String> sockets, List<String> fromTar) {
        Set<String> all = new LinkedHashSet<>();
        sockets.forEach(n -> all.add(absolute(n)));
        fromTar.forEach(n -> all.add(absolute(n)));
        return List.copyOf(all);
    }

    private String absolute(String tarName) {
        return tarName.startsWith("./") ? workspace + tarName.substring(1) : workspace + "/" + tarName;
    }

    private static String tooLarge(long left, long limit) {
        return "the workspace is larger than the " + left + " bytes left of this key's snapshot_bytes limit (" + limit
                + " bytes)";
    }

    private static CommandResult result(int code, String out, String err) {
        return new CommandResult(code, out.getBytes(StandardCharsets.UTF_8), err.getBytes(StandardCharsets.UTF_8),
                false, false, false);
    }
}
