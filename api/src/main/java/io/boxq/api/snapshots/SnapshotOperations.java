package io.boxq.api.snapshots;

import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.api.sandboxes.SandboxOperations;
import io.boxq.core.audit.AuditLog;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.config.SnapshotConfig;
import io.boxq.core.id.RandomIds;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.json.Json;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.Redis;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.core.snapshot.RedisSnapshotStore;
import io.boxq.core.snapshot.Snapshot;
import io.boxq.core.snapshot.SnapshotExit;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a caller does with snapshots — take one of a sandbox, list, read, delete — shared by the REST
 * routes and the MCP tools (docs/architecture.md, "Snapshots and forks"). The api reserves a pending
 * record (the count limit, in one Lua call), the sandbox's node writes the file and marks it ready
 * (the size limit, in one Lua call). Another key's snapshot is not found.
 */
public final class SnapshotOperations {
    /** How long a snapshot may take; a large workspace over a slow disk takes a while. */
    static final Duration SNAPSHOT_WAIT = Duration.ofMinutes(5);

    private final BoxqConfig config;
    private final RedisSnapshotStore store;
    private final SandboxOperations sandboxes;
    private final NodeDirectory nodes;
    private final AuditLog audit;
    private final Redis redis;
    private final Clock clock;

    public SnapshotOperations(BoxqConfig config, RedisSnapshotStore store, SandboxOperations sandboxes,
            NodeDirectory nodes, AuditLog audit, Redis redis, Clock clock) {
        this.config = config;
        this.store = store;
        this.sandboxes = sandboxes;
        this.nodes = nodes;
        this.audit = audit;
        this.redis = redis;
        this.clock = clock;
    }

    /**
     * Saves the workspace of one of the caller's sandboxes.
     *
     * @throws io.boxq.core.sandbox.QuotaExceededException {@code snapshot_count} when the key keeps its maximum
     * @throws ProblemException 413 naming {@code snapshot_bytes} when the workspace does not fit in
     *     what the key has left, 503 when the node could not write it
     */
    public SnapshotView take(ApiKey caller, String sandboxId) {
        Sandbox s = SandboxOperations.ready(sandboxes.live(caller, sandboxId));
        SnapshotConfig.Limits limits = config.snapshots().limits(caller.tier());
        Instant now = clock.instant();
        Snapshot pending = new Snapshot("snap_" + RandomIds.hex(12), caller.id(), s.id(), s.node(), s.image(), "", 0,
                Snapshot.PENDING, now, now.plus(limits.lifetime()), List.of(), config.snapshots().shared());
        store.reserve(pending, limits.maxCount());
        byte[] payload = Json.write(Map.of("snapshot_id", pending.id(), "limit_bytes", limits.maxBytes()))
                .getBytes(StandardCharsets.UTF_8);
        Job done = sandboxes.runOp(caller, s, SandboxOp.Kind.SNAPSHOT, null, payload, SNAPSHOT_WAIT);
        CommandResult r = done.result();
        if (r == null || r.exitCode() != 0) {
            store.find(pending.id()).filter(x -> !x.ready()).ifPresent(store::delete);
        }
        if (r == null) {
            sandboxes.failIfEnded(s);
            throw unavailable(done.error() != null ? done.error() : "the sandbox's node did not answer in time");
        }
        String why = new String(r.stderr(), StandardCharsets.UTF_8);
        switch (r.exitCode()) {
            case SnapshotExit.OK -> { }
            case SnapshotExit.TOO_LARGE -> throw new ProblemException(new Problem("https://boxq.dev/problems/snapshot-too-large",
                    "Snapshot too large", 413, why, null, "snapshot_bytes"));
            case SnapshotExit.GONE -> throw ProblemException.notFound("snapshot");
            default -> throw unavailable(why);
        }
        audit.record(caller.id(), "snapshot.created", pending.id(), Map.of("sandbox", s.id(), "node", s.node()));
        return view(store.find(pending.id()).orElseThrow(() -> ProblemException.notFound("snapshot")));
    }

    public List<SnapshotView> list(ApiKey caller) {
        return store.listForKey(caller.id()).stream().map(this::view).toList();
    }

    /** @throws ProblemException 404 when the caller has no such snapshot */
    public SnapshotView get(ApiKey caller, String id) {
        return view(owned(caller, id));
    }

    /**
     * Deletes one of the caller's snapshots: its record now, its file as soon as its node hears of
     * it (a message on the control channel; the sweep catches what a message missed).
     */
    public void delete(ApiKey caller, String id) {
        Snapshot s = owned(caller, id);
        if (store.delete(s)) {
            audit.record(caller.id(), "snapshot.deleted", s.id(), Map.of());
        }
        redis.run(j -> j.publish(redis.keys().controlChannel(), "snapshots"));
    }

    /** Deletes every snapshot of a revoked key; returns how many. */
    public int deleteAllOf(ApiKey key) {
        int deleted = 0;
        for (Snapshot s : store.listForKey(key.id())) {
            if (store.delete(s)) {
                deleted++;
            }
        }
        if (deleted > 0) {
            redis.run(j -> j.publish(redis.keys().controlChannel(), "snapshots"));
        }
        return deleted;
    }

    private Snapshot owned(ApiKey caller, String id) {
        if (!RandomIds.looksLikeId(id, "snap_")) {
            throw ProblemException.notFound("snapshot");
        }
        return store.find(id, caller.id()).orElseThrow(() -> ProblemException.notFound("snapshot"));
    }

    private SnapshotView view(Snapshot s) {
        return SnapshotView.of(s, nodes.isAlive(s.node()));
    }

    private static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "snapshot-failed", "Snapshot failed", detail));
    }
}
