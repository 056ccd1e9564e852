package io.boxq.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An {@code application/problem+json} answer, with its fields. The subclasses name the statuses a
 * caller usually handles; any other status is this class itself.
 */
public class ProblemException extends BoxqException {
    private final int status;
    private final String type;
    private final String title;
    private final String detail;
    private final List<FieldError> errors;
    private final Duration retryAfter;
    private final JsonNode body;

    public ProblemException(int status, String type, String title, String detail, List<FieldError> errors,
            Duration retryAfter, JsonNode body) {
        super(status + " " + (title == null ? "" : title) + (detail == null ? "" : ": " + detail));
        this.status = status;
        this.type = type;
        this.title = title;
        this.detail = detail;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
        this.retryAfter = retryAfter;
        this.body = body;
    }

    public int status() {
        return status;
    }

    /** The problem's {@code type} URI, e.g. {@code https://boxq.dev/problems/invalid-request}. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    /** The fields at fault (a {@code 400}'s {@code errors}); empty otherwise. */
    public List<FieldError> errors() {
        return errors;
    }

    /** The answer's {@code Retry-After}, when it had one (after the client's own retries ran out). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The whole problem document, for fields this class does not name (e.g. a quota's {@code limit}). */
    public JsonNode body() {
        return body;
    }
}
