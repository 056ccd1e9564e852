package io.boxq.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/** {@code 410}: The sandbox has ended; {@link #detail()} says how, when and why. */
public final class SandboxEndedException extends ProblemException {
    public SandboxEndedException(String type, String title, String detail, List<FieldError> errors, Duration retryAfter,
            JsonNode body) {
        super(410, type, title, detail, errors, retryAfter, body);
    }
}
