package io.boxq.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/** {@code 503}: Redis or the sandbox's node is unreachable right now; retry later. */
public final class UnavailableException extends ProblemException {
    public UnavailableException(String type, String title, String detail, List<FieldError> errors, Duration retryAfter,
            JsonNode body) {
        super(503, type, title, detail, errors, retryAfter, body);
    }
}
