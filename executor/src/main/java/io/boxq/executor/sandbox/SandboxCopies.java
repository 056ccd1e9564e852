package io.boxq.executor.sandbox;

import io.boxq.core.job.CommandResult;
import io.boxq.core.json.Json;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.executor.pool.PooledContainer;
import io.boxq.executor.snapshot.WorkspaceSnapshots;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sandbox operations that copy a workspace (docs/architecture.md, "Snapshots and forks"): a
 * snapshot of a sandbox, a new sandbox made from a snapshot, and forks of a sandbox, each new
 * sandbox filled before it is marked ready. A snapshot and a fork take the source's runner, so no
 * job or file call runs in it meanwhile. A paused source stays paused: its container is thawed only
 * for the copy, with its processes stopped by the copy's own script.
 */
public final class SandboxCopies {
    /** Exit code of a fork's result when a sibling could not be made. */
    public static final int FORK_FAILED = 1;

    private final SandboxLifecycle lifecycle;
    private final SandboxRunners runners;
    private final SandboxPauses pauses;
    private final RedisSandboxStore sandboxes;
    private final WorkspaceSnapshots snapshots;

    public SandboxCopies(SandboxLifecycle lifecycle, SandboxRunners runners, SandboxPauses pauses,
            RedisSandboxStore sandboxes, WorkspaceSnapshots snapshots) {
        this.pauses = pauses;
        this.lifecycle = lifecycle;
        this.runners = runners;
        this.sandboxes = sandboxes;
        this.snapshots = snapshots;
    }

    /** Creates a sandbox, with the workspace of the snapshot named by {@code snapshotId} when it is not empty. */
    Optional<String> create(Sandbox s, byte[] snapshotId) {
        if (snapshotId == null || snapshotId.length == 0) {
            return lifecycle.create(s);
        }
        String id = new String(snapshotId, StandardCharsets.UTF_8);
        return lifecycle.create(s, c -> snapshots.restore(s, c.id(), id));
    }

    /** The snapshot operation (see {@link WorkspaceSnapshots#take}). */
    CommandResult snapshot(Sandbox s, PooledContainer c, byte[] payload) {
        return withRunner(s, () -> pauses.whileThawed(s, c, () -> snapshots.take(s, c.id(), payload)));
    }

    /**
     * The fork operation: makes each sandbox of {@code payload.sandbox_ids} (reserved by the api, on
     * this node) with a copy of {@code source}'s workspace; all or none.
     *
     * @return exit 0 with {@code {"sandbox_ids", "skipped"}}, or {@link #FORK_FAILED} with the reason
     */
    CommandResult fork(Sandbox source, PooledContainer c, byte[] payload) {
        Map<?, ?> p = Json.read(new String(payload, StandardCharsets.UTF_8), Map.class);
        List<String> ids = ((List<?>) p.get("sandbox_ids")).stream().map(String::valueOf).toList();
        return withRunner(source, () -> pauses.whileThawed(source, c, () -> {
            List<Sandbox> made = new ArrayList<>();
            Set<String> skipped = new LinkedHashSet<>();
            for (String id : ids) {
                Optional<Sandbox> child = sandboxes.find(id).filter(x -> !x.ended());
                Optional<String> failed = child.isEmpty() ? Optional.of("fork " + id + " was deleted meanwhile")
                        : lifecycle.create(child.get(), to -> skipped.addAll(snapshots.copy(c.id(), to.id())));
                if (failed.isPresent()) {
                    made.forEach(lifecycle::discard);
                    ids.stream().map(sandboxes::find).flatMap(Optional::stream).filter(x -> !x.ended())
                            .forEach(sandboxes::discard);
                    return result(FORK_FAILED, "", failed.get());
                }
                made.add(child.get());
            }
            return result(0, Json.write(Map.of("sandbox_ids", ids, "skipped", List.copyOf(skipped))), "");
        }));
    }

    private CommandResult withRunner(Sandbox s, java.util.function.Supplier<CommandResult> work) {
        return runners.holding(s.id(), () -> sandboxes.touch(s.id()), work);
    }

    private static CommandResult result(int code, String out, String err) {
        return new CommandResult(code, out.getBytes(StandardCharsets.UTF_8), err.getBytes(StandardCharsets.UTF_8),
                false, false, false);
    }
}
