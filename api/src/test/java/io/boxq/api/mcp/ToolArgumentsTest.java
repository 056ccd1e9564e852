package io.boxq.api.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boxq.core.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolArgumentsTest {
    private final ObjectNode schema = ToolSchema.object()
            .string("command", "the command", true)
            .integer("wait_s", "wait", 0, 60)
            .stringMap("env", "env")
            .oneOf("encoding", "enc", List.of("utf8", "base64"))
            .build();

    private static ObjectNode args(String json) {
        try {
            return (ObjectNode) Json.mapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void the_schema_is_a_closed_object_with_required_fields() {
        assertThat(schema.path("type").textValue()).isEqualTo("object");
        assertThat(schema.path("additionalProperties").booleanValue()).isFalse();
        assertThat(schema.path("required").get(0).textValue()).isEqualTo("command");
        assertThat(schema.path("properties").path("wait_s").path("maximum").intValue()).isEqualTo(60);
        assertThat(schema.path("properties").path("env").path("additionalProperties").path("type").textValue())
                .isEqualTo("string");
    }

    @Test
    void good_arguments_have_no_problems() {
        assertThat(new ToolArguments(schema).problems(args("{\"command\":\"ls\",\"wait_s\":5,\"env\":{\"A\":\"b\"},"
                + "\"encoding\":\"base64\"}"))).isEmpty();
    }

    @Test
    void an_argument_given_as_null_counts_as_absent() {
        assertThat(new ToolArguments(schema).problems(args("{\"command\":\"ls\",\"wait_s\":null}"))).isEmpty();
        assertThat(new ToolArguments(schema).problems(args("{\"command\":null}"))).containsExactly("command is required");
    }

    @Test
    void every_problem_is_named() {
        assertThat(new ToolArguments(schema).problems(args("{\"wait_s\":61,\"env\":{\"A\":1},\"encoding\":\"hex\",\"x\":1}")))
                .containsExactlyInAnyOrder("command is required", "wait_s must be a whole number from 0 to 60",
                        "env.A must be a string", "encoding must be one of [\"utf8\",\"base64\"]",
                        "x is not an argument of this tool");
        assertThat(new ToolArguments(schema).problems(args("{\"command\":7,\"wait_s\":\"5\",\"env\":[]}")))
                .containsExactlyInAnyOrder("command must be a string", "wait_s must be a whole number from 0 to 60",
                        "env must be an object of strings");
    }
}
