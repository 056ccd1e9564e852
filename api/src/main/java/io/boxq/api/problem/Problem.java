package io.boxq.api.problem;

import java.util.List;

/**
 * An RFC 9457 problem: every error boxq returns has this shape, with {@code errors} naming each
 * field at fault for a 400.
 */
public record Problem(String type, String title, int status, String detail, List<FieldError> errors, String limit) {
    public static final String CONTENT_TYPE = "application/problem+json";

    public Problem {
        errors = errors == null || errors.isEmpty() ? null : List.copyOf(errors);
    }

    public Problem(String type, String title, int status, String detail, List<FieldError> errors) {
        this(type, title, status, detail, errors, null);
    }

    /** A 429 for a quota: {@code limit} names the limit that was hit. */
    public static Problem quota(String limit, String detail) {
        return new Problem("https://boxq.dev/problems/quota-exceeded", "Quota exceeded", 429, detail, null, limit);
    }

    /** One field at fault: a JSON pointer-ish name ({@code env.PATH}) and what is wrong with it. */
    public record FieldError(String field, String message) {}

    public static Problem of(int status, String slug, String title, String detail) {
        return new Problem("https://boxq.dev/problems/" + slug, title, status, detail, null);
    }
}
