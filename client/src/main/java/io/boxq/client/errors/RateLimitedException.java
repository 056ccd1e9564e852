package io.boxq.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/** {@code 429}: The key's rate limit (with {@link #retryAfter()}) or a quota (the body's {@code limit} names it). */
public final class RateLimitedException extends ProblemException {
    public RateLimitedException(String type, String title, String detail, List<FieldError> errors, Duration retryAfter,
            JsonNode body) {
        super(429, type, title, detail, errors, retryAfter, body);
    }
}
