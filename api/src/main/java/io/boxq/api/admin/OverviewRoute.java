package io.boxq.api.admin;

import io.boxq.api.auth.Authenticator;
import io.javalin.Javalin;
import io.javalin.http.Context;

/** {@code GET /v1/system/overview} (admin): what the dashboard at {@code /} polls. */
public final class OverviewRoute {
    private final SystemOverview overview;

    public OverviewRoute(SystemOverview overview) {
        this.overview = overview;
    }

    public void register(Javalin app) {
        app.get("/v1/system/overview", this::overview);
    }

    private void overview(Context ctx) {
        Authenticator.admin(ctx);
        ctx.header("Cache-Control", "no-store").json(overview.read());
    }
}
