package io.boxq.api.snapshots;

import io.boxq.api.auth.Authenticator;
import io.boxq.api.sandboxes.SandboxForks;
import io.boxq.api.sandboxes.SandboxView;
import io.boxq.core.sandbox.Sandbox;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/sandboxes/{id}/snapshots}, {@code /v1/snapshots…} and {@code /v1/sandboxes/{id}/fork}:
 * the routes that copy a workspace. A sandbox is made from a snapshot by {@code POST /v1/sandboxes
 * {snapshot_id}}.
 */
public final class SnapshotRoutes {
    private final SnapshotOperations snapshots;
    private final SandboxForks forks;

    public SnapshotRoutes(SnapshotOperations snapshots, SandboxForks forks) {
        this.snapshots = snapshots;
        this.forks = forks;
    }

    public void register(Javalin app) {
        app.post("/v1/sandboxes/{id}/snapshots", this::take);
        app.get("/v1/snapshots", ctx -> ctx.json(Map.of("snapshots", snapshots.list(Authenticator.caller(ctx)))));
        app.get("/v1/snapshots/{id}", ctx -> ctx.json(snapshots.get(Authenticator.caller(ctx), ctx.pathParam("id"))));
        app.delete("/v1/snapshots/{id}", this::delete);
        app.post("/v1/sandboxes/{id}/fork", this::fork);
    }

    private void take(Context ctx) {
        SnapshotView s = snapshots.take(Authenticator.caller(ctx), ctx.pathParam("id"));
        ctx.status(HttpStatus.CREATED).header("Location", "/v1/snapshots/" + s.id()).json(s);
    }

    private void delete(Context ctx) {
        snapshots.delete(Authenticator.caller(ctx), ctx.pathParam("id"));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void fork(Context ctx) {
        List<Sandbox> made = forks.fork(Authenticator.caller(ctx), ctx.pathParam("id"), ctx.body());
        ctx.status(HttpStatus.CREATED).json(Map.of("sandboxes", made.stream().map(SandboxView::of).toList()));
    }
}
