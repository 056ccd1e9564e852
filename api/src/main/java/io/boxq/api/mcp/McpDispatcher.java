package io.boxq.api.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.api.mcp.JsonRpc.Message;
import io.boxq.api.problem.Problem;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.job.JobNotFoundException;
import io.boxq.core.json.Json;
import io.boxq.core.redis.IdempotencyConflictException;
import io.boxq.core.redis.StoreUnavailableException;
import io.boxq.core.sandbox.QuotaExceededException;
import io.boxq.core.sandbox.SandboxEndedException;
import io.boxq.core.sandbox.SandboxNotFoundException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP methods this server offers — {@code initialize}, {@code ping}, {@code tools/list},
 * {@code tools/call} — independent of the HTTP transport. What a tool's caller got wrong (bad
 * arguments, not found, quota) is a tool result with {@code isError}, so the model can read it and
 * try again; an unknown method or tool, or params of the wrong shape, is a JSON-RPC error.
 */
final class McpDispatcher {
    private static final Logger log = LoggerFactory.getLogger(McpDispatcher.class);
    /** Newest first: the first is what a client asking for an unknown version is offered. */
    static final List<String> PROTOCOL_VERSIONS = List.of("2025-06-18", "2025-03-26");

    private final Map<String, McpTool> tools = new LinkedHashMap<>();
    private final Map<String, ToolArguments> arguments = new LinkedHashMap<>();
    private final String serverVersion;

    McpDispatcher(List<McpTool> tools, String serverVersion) {
        tools.forEach(t -> {
            this.tools.put(t.name(), t);
            this.arguments.put(t.name(), new ToolArguments(t.inputSchema()));
        });
        this.serverVersion = serverVersion;
    }

    /** The version to use when a client asks for {@code requested}: itself when supported, else the newest. */
    static String negotiate(String requested) {
        return PROTOCOL_VERSIONS.contains(requested) ? requested : PROTOCOL_VERSIONS.get(0);
    }

    /** The response to a request; notifications (and client responses) get none: null. */
    ObjectNode handle(ApiKey caller, Message m) {
        if (!m.isRequest()) {
            return null;
        }
        try {
            return JsonRpc.result(m.id(), switch (m.method()) {
                case "initialize" -> initialize(m.paramsOrEmpty());
                case "ping" -> JsonNodeFactory.instance.objectNode();
                case "tools/list" -> list();
                case "tools/call" -> call(caller, m.paramsOrEmpty());
                default -> throw new JsonRpc.Failure(m.id(), JsonRpc.METHOD_NOT_FOUND,
                        "Method not found: " + clip(m.method()));
            });
        } catch (JsonRpc.Failure f) {
            return JsonRpc.error(m.id(), f.code(), f.getMessage());
        }
    }

    private JsonNode initialize(ObjectNode params) {
        JsonNode requested = params.get("protocolVersion");
        if (requested == null || !requested.isTextual()) {
            throw new JsonRpc.Failure(null, JsonRpc.INVALID_PARAMS, "Invalid params: protocolVersion is required");
        }
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("protocolVersion", negotiate(requested.textValue()));
        r.putObject("capabilities").putObject("tools").put("listChanged", false);
        r.putObject("serverInfo").put("name", "boxq").put("version", serverVersion);
        r.put("instructions", "boxq runs shell commands in locked-down Linux containers. run_command runs one "
                + "command and returns its output; for files that persist between commands, create_sandbox first, "
                + "pass its id as sandbox_id, and destroy_sandbox when done.");
        return r;
    }

    private JsonNode list() {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        ArrayNode list = r.putArray("tools");
        tools.values().forEach(t -> list.addObject()
                .put("name", t.name())
                .put("description", t.description())
                .set("inputSchema", t.inputSchema()));
        return r;
    }

    private JsonNode call(ApiKey caller, ObjectNode params) {
        JsonNode name = params.get("name");
        if (name == null || !name.isTextual()) {
            throw new JsonRpc.Failure(null, JsonRpc.INVALID_PARAMS, "Invalid params: name must be a tool's name");
        }
        McpTool tool = tools.get(name.textValue());
        if (tool == null) {
            throw new JsonRpc.Failure(null, JsonRpc.INVALID_PARAMS, "Unknown tool: " + clip(name.textValue()));
        }
        JsonNode args = params.get("arguments");
        if (args != null && !args.isNull() && !args.isObject()) {
            throw new JsonRpc.Failure(null, JsonRpc.INVALID_PARAMS, "Invalid params: arguments must be an object");
        }
        ObjectNode arguments = args instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
        List<String> problems = this.arguments.get(tool.name()).problems(arguments);
        if (!problems.isEmpty()) {
            return toolError("invalid arguments: " + String.join("; ", problems));
        }
        try {
            return toolResult(Json.mapper().valueToTree(tool.handler().call(caller, arguments)));
        } catch (ProblemException e) {
            return toolError(describe(e.problem()));
        } catch (JobNotFoundException e) {
            return toolError("job does not exist");
        } catch (SandboxNotFoundException e) {
            return toolError("sandbox does not exist");
        } catch (SandboxEndedException e) {
            return toolError(e.getMessage());
        } catch (QuotaExceededException | IdempotencyConflictException e) {
            return toolError(e.getMessage());
        } catch (StoreUnavailableException e) {
            return toolError("the job store is unreachable right now; retry shortly");
        } catch (RuntimeException e) {
            String ref = Long.toHexString(System.nanoTime());
            log.error("unhandled error {} in MCP tool {} (key {})", ref, tool.name(), caller.id(), e);
            throw new JsonRpc.Failure(null, JsonRpc.INTERNAL_ERROR, "Internal error (ref " + ref + ")");
        }
    }

    /** A tool's answer: the JSON as text (every client shows that) and as structured content. */
    static ObjectNode toolResult(JsonNode structured) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.putArray("content").addObject().put("type", "text").put("text", Json.write(structured));
        r.set("structuredContent", structured);
        r.put("isError", false);
        return r;
    }

    static ObjectNode toolError(String message) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.putArray("content").addObject().put("type", "text").put("text", message);
        r.put("isError", true);
        return r;
    }

    private static String describe(Problem p) {
        if (p.errors() == null) {
            return p.title() + ": " + p.detail();
        }
        return p.title() + ": " + String.join("; ", p.errors().stream().map(e -> e.field() + " " + e.message()).toList());
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}
