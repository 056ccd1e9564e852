package io.boxq.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/** {@code 400}: A request the server refused as malformed; {@link #errors()} names each field at fault. */
public final class InvalidRequestException extends ProblemException {
    public InvalidRequestException(String type, String title, String detail, List<FieldError> errors, Duration retryAfter,
            JsonNode body) {
        super(400, type, title, detail, errors, retryAfter, body);
    }
}
