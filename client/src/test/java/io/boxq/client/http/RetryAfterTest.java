package io.boxq.client.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-12-07T05:00:00Z");

    @Test
    void delta_seconds_and_http_dates_are_read_and_anything_else_is_none() {
        assertThat(RetryAfter.parse("7", NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse(" 0 ", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("Mon, 07 Dec 2026 05:00:30 GMT", NOW)).contains(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Mon, 07 Dec 2026 04:59:00 GMT", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("-1", NOW)).isEmpty();
        assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
        assertThat(RetryAfter.parse(null, NOW)).isEmpty();
    }

    @Test
    void only_requests_that_are_safe_to_send_twice_are_repeatable() {
        assertThat(Call.get("/v1/jobs").repeatable()).isTrue();
        assertThat(Call.put("/f", new byte[0], "application/octet-stream").repeatable()).isTrue();
        assertThat(Call.post("/v1/jobs", new byte[0]).repeatable()).isFalse();
        assertThat(Call.post("/v1/jobs", new byte[0]).header("Idempotency-Key", "k").repeatable()).isTrue();
        assertThat(Call.patch("/v1/keys/k", new byte[0]).repeatable()).isFalse();
    }
}
