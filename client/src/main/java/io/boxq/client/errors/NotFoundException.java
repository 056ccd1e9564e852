package io.boxq.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/** {@code 404}: No such job, sandbox or key for this key (another key's are 404 too). */
public final class NotFoundException extends ProblemException {
    public NotFoundException(String type, String title, String detail, List<FieldError> errors, Duration retryAfter,
            JsonNode body) {
        super(404, type, title, detail, errors, retryAfter, body);
    }
}
