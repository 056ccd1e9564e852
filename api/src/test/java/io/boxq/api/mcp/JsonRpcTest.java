package io.boxq.api.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRpcTest {
    private static JsonRpc.Message parse(String body) {
        return JsonRpc.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonRpc.Failure failure(String body) {
        return catchThrowableOfType(JsonRpc.Failure.class, () -> parse(body));
    }

    @Test
    void a_request_has_its_id_method_and_params() {
        JsonRpc.Message m = parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\",\"params\":{\"cursor\":\"x\"}}");
        assertThat(m.isRequest()).isTrue();
        assertThat(m.id().intValue()).isEqualTo(7);
        assertThat(m.method()).isEqualTo("tools/list");
        assertThat(m.params().path("cursor").textValue()).isEqualTo("x");
    }

    @Test
    void a_message_without_id_is_a_notification_and_one_without_method_a_response() {
        assertThat(parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").isNotification()).isTrue();
        JsonRpc.Message response = parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}");
        assertThat(response.isRequest()).isFalse();
        assertThat(response.isNotification()).isFalse();
    }

    @Test
    void text_that_is_not_json_is_a_parse_error_without_id() {
        JsonRpc.Failure f = failure("{\"jsonrpc\":\"2.0\",\"id\":1,");
        assertThat(f.code()).isEqualTo(JsonRpc.PARSE_ERROR);
        assertThat(f.toResponse().get("id").isNull()).isTrue();
        assertThat(failure("{} trailing").code()).isEqualTo(JsonRpc.PARSE_ERROR);
    }

    @Test
    void wrong_shapes_are_invalid_requests_keeping_a_readable_id() {
        assertThat(failure("[]").code()).isEqualTo(JsonRpc.INVALID_REQUEST);
        assertThat(failure("42").code()).isEqualTo(JsonRpc.INVALID_REQUEST);
        assertThat(failure("").code()).isEqualTo(JsonRpc.INVALID_REQUEST);
        JsonRpc.Failure noVersion = failure("{\"id\":3,\"method\":\"ping\"}");
        assertThat(noVersion.code()).isEqualTo(JsonRpc.INVALID_REQUEST);
        assertThat(noVersion.toResponse().get("id").intValue()).isEqualTo(3);
        assertThat(failure("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}").code())
                .isEqualTo(JsonRpc.INVALID_REQUEST);
        assertThat(failure("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}").code())
                .isEqualTo(JsonRpc.INVALID_REQUEST);
        assertThat(failure("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":3}").code()).isEqualTo(JsonRpc.INVALID_REQUEST);
        assertThat(failure("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[1]}").code())
                .isEqualTo(JsonRpc.INVALID_REQUEST);
        assertThat(failure("{\"jsonrpc\":\"2.0\",\"id\":1}").code()).isEqualTo(JsonRpc.INVALID_REQUEST);
    }

    @Test
    void an_error_response_has_code_message_and_id() {
        var e = JsonRpc.error(null, JsonRpc.METHOD_NOT_FOUND, "Method not found: x");
        assertThat(e.path("jsonrpc").textValue()).isEqualTo("2.0");
        assertThat(e.get("id").isNull()).isTrue();
        assertThat(e.path("error").path("code").intValue()).isEqualTo(-32601);
    }
}
