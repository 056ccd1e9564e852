package io.boxq.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/** {@code 403}: An admin route called with a key that is not the admin key. */
public final class ForbiddenException extends ProblemException {
    public ForbiddenException(String type, String title, String detail, List<FieldError> errors, Duration retryAfter,
            JsonNode body) {
        super(403, type, title, detail, errors, retryAfter, body);
    }
}
