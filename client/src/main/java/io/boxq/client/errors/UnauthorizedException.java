package io.boxq.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/** {@code 401}: No key, or an unknown or revoked one. */
public final class UnauthorizedException extends ProblemException {
    public UnauthorizedException(String type, String title, String detail, List<FieldError> errors, Duration retryAfter,
            JsonNode body) {
        super(401, type, title, detail, errors, retryAfter, body);
    }
}
