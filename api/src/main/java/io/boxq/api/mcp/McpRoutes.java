package io.boxq.api.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.api.auth.Authenticator;
import io.boxq.api.jobs.JobAwaiter;
import io.boxq.api.jobs.JobSubmitter;
import io.boxq.api.sandboxes.SandboxForks;
import io.boxq.api.sandboxes.SandboxOperations;
import io.boxq.api.snapshots.SnapshotOperations;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.redis.Redis;
import java.time.Clock;
import io.boxq.api.mcp.JsonRpc.Message;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.api.problem.ProblemMapper;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.json.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code /mcp}: the Model Context Protocol over Streamable HTTP (revisions 2025-06-18 and
 * 2025-03-26). A POST carries one JSON-RPC message; a request is answered with one JSON response,
 * as {@code application/json} or, for a client that accepts only {@code text/event-stream}, as one
 * SSE event; notifications get {@code 202}. There is no server-initiated stream (GET is 405), and
 * DELETE ends the session. Authentication, rate limits and body limits are the before-handlers of
 * {@code ApiServer}, as for {@code /v1}.
 */
public final class McpRoutes {
    public static final String PATH = "/mcp";
    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String VERSION_HEADER = "MCP-Protocol-Version";

    private final McpDispatcher dispatcher;
    private final McpSessions sessions;

    /** The tools over the services the REST routes use; sessions in Redis. */
    public McpRoutes(BoxqConfig config, Redis redis, Clock clock, JobSubmitter submitter, JobAwaiter awaiter,
            SandboxOperations sandboxes, SnapshotOperations snapshots, SandboxForks forks) {
        this(new McpDispatcher(java.util.stream.Stream.concat(
                new BoxqTools(config, submitter, awaiter, sandboxes).all().stream(),
                new CopyTools(snapshots, forks).all().stream()).toList(), serverVersion()),
                new McpSessions(redis, clock));
    }

    McpRoutes(McpDispatcher dispatcher, McpSessions sessions) {
        this.dispatcher = dispatcher;
        this.sessions = sessions;
    }

    /** The largest body of {@code /mcp}: a write_file of {@code FILE_MAX_BYTES} in base64, and the envelope. */
    public static long maxBodyBytes(BoxqConfig config) {
        return Math.max(config.jobs().maxBodyBytes(), (config.jobs().fileMaxBytes() + 2) / 3 * 4 + 65_536L);
    }

    public void register(Javalin app) {
        app.post(PATH, this::post);
        app.get(PATH, ctx -> {
            ctx.header("Allow", "POST, DELETE");
            ProblemMapper.write(ctx, Problem.of(405, "method-not-allowed", "Method not allowed",
                    "this server offers no server-initiated stream; POST JSON-RPC messages to " + PATH));
        });
        app.delete(PATH, this::delete);
    }

    private void post(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        Reply reply = Reply.of(ctx.header("Accept"));
        Message m;
        try {
            m = JsonRpc.parse(ctx.bodyAsBytes());
        } catch (JsonRpc.Failure f) {
            json(ctx, 400, f.toResponse());
            return;
        }
        String version = ctx.header(VERSION_HEADER);
        if (version != null && !McpDispatcher.PROTOCOL_VERSIONS.contains(version)) {
            json(ctx, 400, JsonRpc.error(m.id(), JsonRpc.INVALID_REQUEST, "Unsupported " + VERSION_HEADER + ": "
                    + clip(version) + "; this server speaks " + McpDispatcher.PROTOCOL_VERSIONS));
            return;
        }
        if ("initialize".equals(m.method()) && m.isRequest()) {
            ObjectNode response = dispatcher.handle(caller, m);
            if (response.has("result")) {
                String agreed = response.get("result").get("protocolVersion").textValue();
                ctx.header(SESSION_HEADER, sessions.open(caller.id(), agreed).id());
            }
            reply.write(ctx, response);
            return;
        }
        String sessionId = ctx.header(SESSION_HEADER);
        if (sessionId == null || sessionId.isBlank()) {
            json(ctx, 400, JsonRpc.error(m.id(), JsonRpc.INVALID_REQUEST,
                    "Bad Request: the " + SESSION_HEADER + " header is required; call initialize first"));
            return;
        }
        if (sessions.find(sessionId.trim(), caller.id()).isEmpty()) {
            json(ctx, 404, JsonRpc.error(m.id(), JsonRpc.INVALID_REQUEST,
                    "Session not found: it ended or expired; call initialize again"));
            return;
        }
        ObjectNode response = dispatcher.handle(caller, m);
        if (response == null) {
            ctx.status(HttpStatus.ACCEPTED);
            return;
        }
        reply.write(ctx, response);
    }

    private void delete(Context ctx) {
        ApiKey caller = Authenticator.caller(ctx);
        String sessionId = Optional.ofNullable(ctx.header(SESSION_HEADER)).map(String::trim).orElse("");
        if (sessionId.isEmpty()) {
            throw ProblemException.badRequest(SESSION_HEADER, "is required: the session to end");
        }
        if (!sessions.close(sessionId, caller.id())) {
            throw ProblemException.notFound("MCP session");
        }
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private static void json(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    /** How a response travels, from the Accept header: JSON when the client takes it, else one SSE event. */
    enum Reply {
        JSON, SSE;

        static Reply of(String accept) {
            if (accept == null || accept.isBlank()) {
                return JSON;
            }
            boolean sse = false;
            for (String part : accept.split(",")) {
                String type = part.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                if (type.equals("application/json") || type.equals("application/*") || type.equals("*/*")) {
                    return JSON;
                }
                sse |= type.equals("text/event-stream");
            }
            if (!sse) {
                throw new ProblemException(Problem.of(406, "not-acceptable", "Not acceptable",
                        "/mcp answers application/json or text/event-stream; the Accept header allows neither"));
            }
            return SSE;
        }

        void write(Context ctx, ObjectNode response) {
            if (this == JSON) {
                json(ctx, 200, response);
                return;
            }
            ctx.status(200).contentType("text/event-stream").header("Cache-Control", "no-cache")
                    .result("event: message\ndata: " + Json.write(response) + "\n\n");
        }
    }

    private static String serverVersion() {
        String v = McpRoutes.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}
