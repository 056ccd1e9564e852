package io.boxq.client.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProblemsTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void a_400_is_an_invalid_request_carrying_the_fields_at_fault() {
        ProblemException e = Problems.of(400, ("{\"type\":\"https://boxq.dev/problems/invalid-request\","
                + "\"title\":\"Invalid request\",\"status\":400,\"detail\":\"timeout_s: too small\","
                + "\"errors\":[{\"field\":\"timeout_s\",\"message\":\"too small\"}]}").getBytes(StandardCharsets.UTF_8),
                null, json);
        assertThat(e).isInstanceOf(InvalidRequestException.class);
        assertThat(e.errors()).containsExactly(new FieldError("timeout_s", "too small"));
        assertThat(e.type()).isEqualTo("https://boxq.dev/problems/invalid-request");
        assertThat(e.detail()).isEqualTo("timeout_s: too small");
        assertThat(e.getMessage()).isEqualTo("400 Invalid request: timeout_s: too small");
    }

    @Test
    void each_status_has_its_type_and_a_body_that_is_not_json_still_gives_the_status() {
        assertThat(Problems.of(429, "{\"status\":429}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(3), json))
                .isInstanceOfSatisfying(RateLimitedException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)));
        assertThat(Problems.of(410, new byte[0], null, json)).isInstanceOf(SandboxEndedException.class);
        assertThat(Problems.of(503, new byte[0], null, json)).isInstanceOf(UnavailableException.class);
        ProblemException bad = Problems.of(502, "<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8), null, json);
        assertThat(bad.getClass()).isEqualTo(ProblemException.class);
        assertThat(bad.status()).isEqualTo(502);
        assertThat(bad.title()).isEqualTo("<html>bad gateway</html>");
    }
}
