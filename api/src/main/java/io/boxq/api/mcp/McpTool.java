package io.boxq.api.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.core.auth.ApiKey;

/**
 * One tool of the MCP endpoint: its name, what it is for (the model reads this), the JSON Schema of
 * its arguments, and what it does as the calling key.
 */
record McpTool(String name, String description, ObjectNode inputSchema, Handler handler) {
    /** Runs the tool; its answer becomes the tool result's structured content (and its text). */
    @FunctionalInterface
    interface Handler {
        /**
         * @param arguments already checked against the tool's schema
         * @throws io.boxq.api.problem.ProblemException and the core's domain exceptions for what the
         *     caller got wrong or may retry; they become a tool error result
         */
        Object call(ApiKey caller, ObjectNode arguments);
    }
}
