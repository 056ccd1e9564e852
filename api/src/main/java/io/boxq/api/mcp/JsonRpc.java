package io.boxq.api.mcp;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.core.json.Json;

/**
 * JSON-RPC 2.0 as MCP uses it: one message per POST (MCP 2025-06-18 dropped batches), ids that are
 * strings or whole numbers, never null, and params that are an object when present.
 */
final class JsonRpc {
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;

    private JsonRpc() {}

    /**
     * A message from the client: a request (method and id), a notification (method, no id), or a
     * response to something the server asked (no method), which this server never does.
     */
    record Message(JsonNode id, String method, ObjectNode params) {
        boolean isRequest() {
            return method != null && id != null;
        }

        boolean isNotification() {
            return method != null && id == null;
        }

        /** The params, or an empty object when there were none. */
        ObjectNode paramsOrEmpty() {
            return params != null ? params : JsonNodeFactory.instance.objectNode();
        }
    }

    /** A message that is not valid JSON-RPC: the error to answer, with the id when one could be read. */
    static final class Failure extends RuntimeException {
        private final transient JsonNode id;
        private final int code;

        Failure(JsonNode id, int code, String message) {
            super(message, null, false, false);
            this.id = id;
            this.code = code;
        }

        ObjectNode toResponse() {
            return error(id, code, getMessage());
        }

        int code() {
            return code;
        }
    }

    /** @throws Failure with {@link #PARSE_ERROR} or {@link #INVALID_REQUEST} */
    static Message parse(byte[] body) {
        JsonNode tree;
        try {
            tree = body.length == 0 ? null : Json.mapper().readTree(body);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new Failure(null, PARSE_ERROR, "Parse error: the body is not valid JSON");
        } catch (java.io.IOException e) {
            throw new Failure(null, PARSE_ERROR, "Parse error: the body could not be read");
        }
        if (tree == null || tree.isMissingNode()) {
            throw new Failure(null, INVALID_REQUEST, "Invalid Request: the body is empty");
        }
        if (tree.isArray()) {
            throw new Failure(null, INVALID_REQUEST, "Invalid Request: batches are not supported; send one message per POST");
        }
        if (!tree.isObject()) {
            throw new Failure(null, INVALID_REQUEST, "Invalid Request: a JSON-RPC message is a JSON object");
        }
        JsonNode id = tree.get("id");
        JsonNode goodId = id != null && (id.isTextual() || id.isIntegralNumber()) ? id : null;
        if (!"2.0".equals(tree.path("jsonrpc").textValue())) {
            throw new Failure(goodId, INVALID_REQUEST, "Invalid Request: jsonrpc must be \"2.0\"");
        }
        if (id != null && goodId == null) {
            throw new Failure(null, INVALID_REQUEST, "Invalid Request: id must be a string or a whole number");
        }
        JsonNode method = tree.get("method");
        if (method == null) {
            if (id != null && (tree.has("result") || tree.has("error"))) {
                return new Message(id, null, null);
            }
            throw new Failure(goodId, INVALID_REQUEST, "Invalid Request: method is missing");
        }
        if (!method.isTextual() || method.textValue().isEmpty()) {
            throw new Failure(goodId, INVALID_REQUEST, "Invalid Request: method must be a non-empty string");
        }
        JsonNode params = tree.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new Failure(goodId, INVALID_REQUEST, "Invalid Request: params must be an object");
        }
        return new Message(goodId, method.textValue(), params instanceof ObjectNode o ? o : null);
    }

    static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode r = envelope(id);
        r.set("result", result);
        return r;
    }

    static ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode r = envelope(id);
        ObjectNode e = r.putObject("error");
        e.put("code", code);
        e.put("message", message);
        return r;
    }

    private static ObjectNode envelope(JsonNode id) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("jsonrpc", "2.0");
        r.set("id", id == null ? JsonNodeFactory.instance.nullNode() : id);
        return r;
    }
}
