package io.boxq.api.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.boxq.api.mcp.McpRoutes.Reply;
import io.boxq.api.problem.ProblemException;
import org.junit.jupiter.api.Test;

class ReplyTest {
    @Test
    void json_when_the_client_takes_it_else_server_sent_events() {
        assertThat(Reply.of("application/json, text/event-stream")).isEqualTo(Reply.JSON);
        assertThat(Reply.of("text/event-stream, application/json;q=0.9")).isEqualTo(Reply.JSON);
        assertThat(Reply.of(null)).isEqualTo(Reply.JSON);
        assertThat(Reply.of("*/*")).isEqualTo(Reply.JSON);
        assertThat(Reply.of("text/event-stream")).isEqualTo(Reply.SSE);
    }

    @Test
    void neither_is_not_acceptable() {
        assertThatThrownBy(() -> Reply.of("text/html")).isInstanceOf(ProblemException.class)
                .extracting(e -> ((ProblemException) e).problem().status()).isEqualTo(406);
    }
}
