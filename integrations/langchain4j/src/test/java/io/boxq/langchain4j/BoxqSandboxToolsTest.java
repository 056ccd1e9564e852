package io.boxq.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The tools as a model sees them: names, descriptions and JSON schemas, as LangChain4j derives them. */
class BoxqSandboxToolsTest {
    private final Map<String, ToolSpecification> specs = ToolSpecifications
            .toolSpecificationsFrom(BoxqSandboxTools.class).stream()
            .collect(Collectors.toMap(ToolSpecification::name, s -> s));

    @Test
    void there_are_three_tools_named_as_boxqs_mcp_tools() {
        assertThat(specs).containsOnlyKeys("run_command", "read_file", "write_file");
        assertThat(specs.values()).allSatisfy(s -> assertThat(s.description()).isNotBlank());
    }

    @Test
    void run_command_takes_one_required_described_string() {
        assertThat(schema("run_command")).isEqualTo(Map.of(
                "type", "object",
                "properties", Map.of("command", Map.of("type", "string", "description", "the shell command to run")),
                "required", List.of("command")));
    }

    @Test
    void write_file_takes_a_path_and_its_content_and_read_file_a_path() {
        Map<String, Object> write = schema("write_file");
        Map<String, Map<String, Object>> properties = cast(write.get("properties"));
        assertThat(properties.keySet()).containsExactlyInAnyOrder("path", "content");
        assertThat(properties.get("content")).containsEntry("type", "string");
        List<String> required = cast(write.get("required"));
        assertThat(required).containsExactlyInAnyOrder("path", "content");
        Map<String, Object> read = cast(schema("read_file").get("properties"));
        assertThat(read.keySet()).containsExactly("path");
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }

    private Map<String, Object> schema(String tool) {
        return JsonSchemaElementUtils.toMap(specs.get(tool).parameters());
    }
}
