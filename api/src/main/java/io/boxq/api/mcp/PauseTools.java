package io.boxq.api.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.api.sandboxes.PauseOperations;
import io.boxq.api.sandboxes.SandboxView;
import io.boxq.core.auth.ApiKey;
import java.util.List;

/** {@code pause_sandbox} and {@code resume_sandbox}: what {@code POST /v1/sandboxes/{id}/pause|resume} do. */
final class PauseTools {
    private final PauseOperations pauses;

    PauseTools(PauseOperations pauses) {
        this.pauses = pauses;
    }

    List<McpTool> all() {
        return List.of(
                new McpTool("pause_sandbox", "Pause a sandbox while you do not need it: every process in it is "
                        + "frozen, memory and files are kept, and it stops counting as idle (its lifetime still runs). "
                        + "A running command is never frozen: the pause waits for it a little, else it is refused. "
                        + "Commands and file calls resume it by themselves.",
                        ToolSchema.object().string("sandbox_id", "the sandbox", true).build(),
                        this::pause),
                new McpTool("resume_sandbox", "Resume a paused sandbox: its processes go on where they stopped.",
                        ToolSchema.object().string("sandbox_id", "the sandbox", true).build(),
                        this::resume));
    }

    private Object pause(ApiKey caller, ObjectNode args) {
        return SandboxView.of(pauses.pause(caller, args.get("sandbox_id").textValue()));
    }

    private Object resume(ApiKey caller, ObjectNode args) {
        return SandboxView.of(pauses.resume(caller, args.get("sandbox_id").textValue()));
    }
}
