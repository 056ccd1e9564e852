package io.boxq.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/** {@code 409}: A sandbox not ready yet, a job that already ended, an idempotency key reused with another body. */
public final class ConflictException extends ProblemException {
    public ConflictException(String type, String title, String detail, List<FieldError> errors, Duration retryAfter,
            JsonNode body) {
        super(409, type, title, detail, errors, retryAfter, body);
    }
}
