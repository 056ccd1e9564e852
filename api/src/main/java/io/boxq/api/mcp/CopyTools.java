package io.boxq.api.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.api.sandboxes.SandboxForks;
import io.boxq.api.sandboxes.SandboxView;
import io.boxq.api.snapshots.SnapshotOperations;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.json.Json;
import java.util.List;
import java.util.Map;

/**
 * The tools that copy a workspace: {@code snapshot_sandbox} and {@code fork_sandbox}, through the
 * services of {@code POST /v1/sandboxes/{id}/snapshots} and {@code …/fork} (same limits, same
 * problems). A sandbox is made from a snapshot by {@code create_sandbox} with {@code snapshot_id}.
 */
final class CopyTools {
    private final SnapshotOperations snapshots;
    private final SandboxForks forks;

    CopyTools(SnapshotOperations snapshots, SandboxForks forks) {
        this.snapshots = snapshots;
        this.forks = forks;
    }

    List<McpTool> all() {
        return List.of(
                new McpTool("snapshot_sandbox", "Save a sandbox's workspace (files, directories, modes, symlinks; "
                        + "never processes or memory) as a snapshot that outlives the sandbox. Start a new sandbox "
                        + "with it through create_sandbox's snapshot_id. Answers the snapshot: id, size_bytes, "
                        + "expires_at, and the paths it skipped (FIFOs, sockets).",
                        ToolSchema.object().string("sandbox_id", "the sandbox", true).build(),
                        this::snapshot),
                new McpTool("fork_sandbox", "Copy a sandbox into count new sandboxes (1-" + SandboxForks.MAX_COUNT
                        + ") with the same image, memory, env and files; the source keeps running, and each copy "
                        + "then changes on its own. All or none; each counts against your sandbox limit.",
                        ToolSchema.object()
                                .string("sandbox_id", "the sandbox to copy", true)
                                .integer("count", "how many copies (default 1)", 1, SandboxForks.MAX_COUNT)
                                .build(),
                        this::fork));
    }

    private Object snapshot(ApiKey caller, ObjectNode args) {
        return snapshots.take(caller, args.get("sandbox_id").textValue());
    }

    private Object fork(ApiKey caller, ObjectNode args) {
        ObjectNode body = args.deepCopy();
        body.remove("sandbox_id");
        return Map.of("sandboxes", forks.fork(caller, args.get("sandbox_id").textValue(), Json.write(body)).stream()
                .map(SandboxView::of).toList());
    }
}
