package io.boxq.api.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.api.problem.ProblemException;
import io.boxq.core.auth.ApiKey;
import io.boxq.core.sandbox.SandboxNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class McpDispatcherTest {
    private final McpDispatcher dispatcher = new McpDispatcher(List.of(
            new McpTool("echo", "echoes", ToolSchema.object().string("text", "what", true).build(),
                    (caller, args) -> Map.of("text", args.get("text").textValue(), "key", caller.id())),
            new McpTool("missing", "not found", ToolSchema.object().build(),
                    (caller, args) -> { throw new SandboxNotFoundException("sbx_1"); }),
            new McpTool("bad", "400", ToolSchema.object().build(),
                    (caller, args) -> { throw ProblemException.badRequest("path", "must not contain '..'"); }),
            new McpTool("broken", "bug", ToolSchema.object().build(),
                    (caller, args) -> { throw new IllegalStateException("bug"); })), "test");

    private ObjectNode call(String json) {
        return dispatcher.handle(ApiKey.adminKey(), JsonRpc.parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void initialize_echoes_a_supported_version_and_offers_the_newest_otherwise() {
        ObjectNode r = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-03-26\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
        assertThat(r.path("result").path("protocolVersion").textValue()).isEqualTo("2025-03-26");
        assertThat(r.path("result").path("capabilities").has("tools")).isTrue();
        assertThat(r.path("result").path("serverInfo").path("name").textValue()).isEqualTo("boxq");
        ObjectNode other = call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2024-11-05\"}}");
        assertThat(other.path("result").path("protocolVersion").textValue()).isEqualTo("2025-06-18");
        ObjectNode none = call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\",\"params\":{}}");
        assertThat(none.path("error").path("code").intValue()).isEqualTo(JsonRpc.INVALID_PARAMS);
    }

    @Test
    void notifications_get_no_answer_and_ping_an_empty_result() {
        assertThat(call("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")).isNull();
        assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}").path("result").isEmpty()).isTrue();
    }

    @Test
    void tools_list_names_every_tool_with_its_schema() {
        ObjectNode r = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
        assertThat(r.path("result").path("tools")).hasSize(4);
        assertThat(r.path("result").path("tools").get(0).path("inputSchema").path("required").get(0).textValue())
                .isEqualTo("text");
    }

    @Test
    void a_tool_answers_with_text_and_structured_content_as_the_caller() {
        ObjectNode r = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":\"hi\"}}}");
        assertThat(r.path("result").path("isError").booleanValue()).isFalse();
        assertThat(r.path("result").path("structuredContent").path("text").textValue()).isEqualTo("hi");
        assertThat(r.path("result").path("structuredContent").path("key").textValue()).isEqualTo("admin");
        assertThat(r.path("result").path("content").get(0).path("text").textValue()).contains("\"hi\"");
    }

    @Test
    void what_the_caller_got_wrong_is_a_tool_error() {
        ObjectNode badArgs = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":1}}}");
        assertThat(badArgs.path("result").path("isError").booleanValue()).isTrue();
        assertThat(badArgs.path("result").path("content").get(0).path("text").textValue())
                .isEqualTo("invalid arguments: text must be a string");
        assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"missing\"}}")
                .path("result").path("content").get(0).path("text").textValue()).isEqualTo("sandbox does not exist");
        assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"bad\"}}")
                .path("result").path("content").get(0).path("text").textValue()).contains("path must not contain");
    }

    @Test
    void unknown_methods_and_tools_and_bugs_are_json_rpc_errors() {
        assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}").path("error").path("code")
                .intValue()).isEqualTo(JsonRpc.METHOD_NOT_FOUND);
        assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}")
                .path("error").path("code").intValue()).isEqualTo(JsonRpc.INVALID_PARAMS);
        assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":[]}}").path("error").path("code").intValue()).isEqualTo(JsonRpc.INVALID_PARAMS);
        ObjectNode bug = call("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"broken\"}}");
        assertThat(bug.path("error").path("code").intValue()).isEqualTo(JsonRpc.INTERNAL_ERROR);
        assertThat(bug.path("id").intValue()).isEqualTo(4);
        assertThat(bug.path("error").path("message").textValue()).doesNotContain("bug");
    }
}
