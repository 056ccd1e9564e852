package io.boxq.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.transport.http.StreamableHttpMcpTransport;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import io.boxq.client.BoxqClient;
import io.boxq.server.BoxqTestServer;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tools run by LangChain4j's own tool executor, and LangChain4j's MCP client on boxq's /mcp, against a live boxq. */
class BoxqSandboxToolsIT {
    private static BoxqTestServer server;
    private static String url;
    private static String key;

    @BeforeAll
    static void start() {
        server = BoxqTestServer.start("langchain4j", Map.of());
        url = server.client.base().toString();
        key = server.client.createKey(server.adminKey(), "agent", "pro").path("key").asText();
    }

    @AfterAll
    static void stop() {
        server.stopAndAssertClean();
    }

    @Test
    void langchain4js_tool_executor_runs_commands_and_moves_files_in_one_sandbox_that_close_deletes() throws Exception {
        BoxqClient boxq = BoxqClient.create(url, key);
        String sandboxId;
        try (BoxqSandboxTools tools = new BoxqSandboxTools(boxq)) {
            assertThat(tools.sandboxId()).as("no sandbox before the first call").isNull();
            assertThat(execute(tools, "write_file", "{\"path\": \"notes/a.txt\", \"content\": \"héllo\\n\"}"))
                    .isEqualTo("wrote 7 bytes to notes/a.txt");
            String ran = execute(tools, "run_command", "{\"command\": \"cat notes/a.txt; echo hi; exit 3\"}");
            assertThat(ran).contains("exit code: 3").contains("stdout:\nhéllo\nhi\n");
            execute(tools, "run_command", "{\"command\": \"printf 'x\\\\n' >> notes/a.txt\"}");
            assertThat(execute(tools, "read_file", "{\"path\": \"notes/a.txt\"}")).isEqualTo("héllo\nx\n");
            sandboxId = tools.sandboxId();
            assertThat(sandboxId).startsWith("sbx_");
        }
        assertThat(boxq.sandboxes().get(sandboxId).state()).isEqualTo("deleted");
    }

    @Test
    void langchain4js_mcp_client_lists_and_calls_boxqs_tools_over_streamable_http() throws Exception {
        StreamableHttpMcpTransport transport = new StreamableHttpMcpTransport.Builder()
                .url(url + "/mcp")
                .customHeaders(Map.of("Authorization", "Bearer " + key))
                .timeout(Duration.ofSeconds(60))
                .build();
        try (McpClient mcp = new DefaultMcpClient.Builder().transport(transport).clientName("boxq-it").build()) {
            assertThat(mcp.listTools()).extracting(ToolSpecification::name)
                    .contains("run_command", "read_file", "write_file", "create_sandbox");
            String result = mcp.executeTool(ToolExecutionRequest.builder().id("1").name("run_command")
                    .arguments("{\"command\": \"echo hi from mcp\"}").build()).resultText();
            assertThat(result).contains("succeeded").contains("hi from mcp\\n");
        }
    }

    private static String execute(BoxqSandboxTools tools, String name, String arguments) {
        Method method = java.util.Arrays.stream(BoxqSandboxTools.class.getMethods())
                .filter(m -> m.isAnnotationPresent(dev.langchain4j.agent.tool.Tool.class)
                        && m.getAnnotation(dev.langchain4j.agent.tool.Tool.class).name().equals(name))
                .findFirst().orElseThrow();
        return new DefaultToolExecutor(tools, method)
                .execute(ToolExecutionRequest.builder().id("call-" + name).name(name).arguments(arguments).build(), "memory");
    }
}
