package io.boxq.api.dashboard;

import io.javalin.config.StaticFilesConfig;
import io.javalin.http.staticfiles.Location;
import java.util.Map;

/**
 * The operators' dashboard at {@code /}: static HTML, CSS and JavaScript from the classpath
 * ({@code /dashboard}), no build step. The page holds no data: it asks for the admin key (kept in
 * the tab's sessionStorage, or given as {@code #key=…}, which never reaches the server) and polls
 * {@code GET /v1/system/overview} with it. The headers keep the page to its own origin: no inline
 * or foreign script, no framing, no referrer.
 */
public final class Dashboard {
    static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-cache");

    private Dashboard() {}

    public static void serve(StaticFilesConfig staticFiles) {
        staticFiles.add(files -> {
            files.hostedPath = "/";
            files.directory = "/dashboard";
            files.location = Location.CLASSPATH;
            files.headers = HEADERS;
        });
    }
}
